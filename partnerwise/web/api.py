"""The JSON API: one router per domain, typed schemas, an OpenAPI description at /api/docs.

Every workspace endpoint lives under /api/w/{slug}/ and goes through the same access helpers
as the pages: outsiders get 404, members whose role is too low get 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import django_auth

from partnerwise.api.auth import TokenAuth
from partnerwise.api.errors import Invalid
from partnerwise.appraisals.api import router as appraisals_router
from partnerwise.assessments.api import router as assessments_router
from partnerwise.opendata.api import router as organisations_router
from partnerwise.organisations.api import router as workspaces_router
from partnerwise.partnerships.api import router as partnerships_router
from partnerwise.workspaces.versioning import StaleVersion

api = NinjaAPI(
    title="Partnerwise API",
    version="1",
    description=(
        "Everything the Partnerwise pages do, for programs. Authenticate with "
        "`Authorization: Bearer <token>` (make one with `partnerwise api_token USER`) or, "
        "from the browser, with the signed-in session and its CSRF token."
    ),
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)
api.add_router("/", workspaces_router)
api.add_router("/", organisations_router)
api.add_router("/", partnerships_router)
api.add_router("/", assessments_router)
api.add_router("/", appraisals_router)


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
