"""Schemathesis against /api/openapi.json, through the WSGI app, with a bounded number of
examples per operation: no server errors, and every answer (status, headers, body) is one the
description lists. Paths use the cast's workspace so the operations reach real code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from partnerwise.api.models import ApiToken
from partnerwise.conftest import Cast

# The description is read through the app itself (no server); it needs no database.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Iterator[None]:
    # Django's WSGI handler closes database connections at the end of each request, which
    # would end the test's transaction on PostgreSQL; Django's own test client does this too.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(cast: Cast) -> str:
    return ApiToken.issue(user=cast.editor, name="schemathesis")[1]


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_description_says(case: Any, cast: Cast, token: str) -> None:
    if "slug" in (case.path_parameters or {}):
        case.path_parameters["slug"] = cast.workspace.slug
    if "pk" in (case.path_parameters or {}):
        case.path_parameters["pk"] = cast.partnership.pk
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
