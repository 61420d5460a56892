"""Request ids, one structured log line per request, and refusing NUL bytes in input."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse

from partnerwise.hosting import views
from partnerwise.hosting.addresses import client_address

log = logging.getLogger("partnerwise.request")

# A proxy's id is kept only if it is short and plain, so it cannot forge log lines.
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

Handler = Callable[[HttpRequest], HttpResponseBase]


class RequestLogMiddleware:
    """Gives each request an id (or keeps the proxy's X-Request-ID), returns it in the
    response's X-Request-ID header and logs one JSON line when the response is ready."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _GOOD_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        user = getattr(request, "user", None)
        log.info(
            json.dumps(
                {
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                    "user": user.pk if user is not None and user.is_authenticated else None,
                    "client": client_address(request),
                }
            )
        )
        return response


class HealthMiddleware:
    """Answers /healthz and /readyz before host validation and the HTTPS redirect, so a probe
    on the host itself (http://127.0.0.1:PORT/healthz) works whatever ALLOWED_HOSTS says."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path == "/healthz":
            return views.healthz(request)
        if request.path == "/readyz":
            return views.readyz(request)
        return self.get_response(request)


def _nul_field(request: HttpRequest) -> str | None:
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return name.replace("\x00", "")
    content_type = request.content_type or ""
    if request.method == "POST" and content_type in {
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    }:
        for name, values in request.POST.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return name.replace("\x00", "")
    if content_type == "application/json" and b"\\u0000" in request.body:
        return "the JSON body"
    return None


class RefuseNulMiddleware:
    """A NUL character cannot be stored (PostgreSQL refuses it) and is never meant: answer
    400 naming the field, rather than a 500 from deep in the database driver."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        field = _nul_field(request)
        if field is not None:
            message = f"A NUL character (\\0) is not allowed in {field}."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
