"""The JSON API: one router per domain, typed schemas, an OpenAPI description at /api/docs.

Every workspace endpoint lives under /api/w/{slug}/ and goes through the same access helpers
as the pages: outsiders get 404, members whose role is too low get 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from ninja.openapi.views import openapi_view
from ninja.security import django_auth

from partnerwise.api.auth import TokenAuth
from partnerwise.api.errors import Invalid
from partnerwise.api.openapi import PartnerwiseAPI
from partnerwise.appraisals.api import router as appraisals_router
from partnerwise.assessments.api import router as assessments_router
from partnerwise.exports.api import router as exports_router
from partnerwise.opendata.api import router as organisations_router
from partnerwise.organisations.api import router as workspaces_router
from partnerwise.partnerships.api import router as partnerships_router
from partnerwise.workspaces.versioning import StaleVersion


def _docs_for_signed_in_users(view: Any) -> Any:
    # Ninja applies this to /openapi.json too, which programs (and schemathesis) read.
    return login_required(view) if getattr(view, "func", None) is openapi_view else view


api = PartnerwiseAPI(
    title="Partnerwise API",
    version="1",
    description=(
        "Everything the Partnerwise pages do, for programs. Authenticate with "
        "`Authorization: Bearer <token>` (make one with `partnerwise api_token USER`) or, "
        "from the browser, with the signed-in session and its CSRF token."
    ),
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
    # The browsable docs are for people who use the site: signed-in users only. Its Swagger UI
    # files come from django-ninja's own static files ("ninja" in INSTALLED_APPS), not a CDN,
    # so the site's content security policy holds there too.
    docs_decorator=_docs_for_signed_in_users,
)
api.add_router("/", workspaces_router)
api.add_router("/", organisations_router)
api.add_router("/", partnerships_router)
api.add_router("/", assessments_router)
api.add_router("/", appraisals_router)
api.add_router("/", exports_router)


@api.exception_handler(Invalid)
def invalid(request: HttpRequest, error: Invalid) -> HttpResponse:
    return api.create_response(request, {"detail": error.errors}, status=422)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": error.messages}, status=422)


@api.exception_handler(StaleVersion)
def stale(request: HttpRequest, error: StaleVersion) -> HttpResponse:
    return api.create_response(
        request, {"detail": error.message, "current": error.current}, status=409
    )


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(error) or "Forbidden"}, status=403)


@api.exception_handler(DataError)
def data_error(request: HttpRequest, error: DataError) -> HttpResponse:
    # The schemas bound what they can; this catches what only the database knows.
    return api.create_response(
        request,
        {"detail": "A value is too long or not valid for where it is stored."},
        status=422,
    )


@api.exception_handler(OverflowError)
def overflow(request: HttpRequest, error: OverflowError) -> HttpResponse:
    # SQLite cannot compare a number of 2**63 or more with an id (a path's {pk}, say): no
    # record has such an id. Ids in bodies are bounded by their schemas (422).
    return api.create_response(
        request, {"detail": "No such record: ids are below 2**63."}, status=404
    )
