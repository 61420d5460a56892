"""Health and readiness for a process manager, a container runtime or a load balancer.

`/healthz` answers 200 while the process can reach its database (restart it otherwise);
`/readyz` answers 200 only when it should be sent traffic: database reachable, every
migration applied, and (in production) static files collected.
"""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from partnerwise.hosting.checks import problems


def _database_error() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return f"database unreachable: {error.__class__.__name__}"
    return None


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    error = _database_error()
    if error:
        return JsonResponse({"status": "error", "detail": error}, status=503)
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    error = _database_error()
    if error:
        return JsonResponse({"status": "error", "detail": error}, status=503)
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    reasons = [f"{len(pending)} migrations not applied: run `partnerwise migrate`"] * bool(pending)
    reasons += [problem.msg for problem in problems()]
    if reasons:
        return JsonResponse({"status": "not ready", "detail": reasons}, status=503)
    return JsonResponse({"status": "ready"})
