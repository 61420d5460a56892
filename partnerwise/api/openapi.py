"""The error answers every API operation really gives, added to the OpenAPI description.

Ninja describes only each operation's success; schemathesis found the 4xx answers missing.
They come from shared mechanisms (authentication, the access helpers, the NUL-byte guard,
validation, the stale-version check), so they are added here, by rule, in one place.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

ERROR = {
    "type": "object",
    "properties": {"detail": {}},
    "required": ["detail"],
    "title": "Error",
}


def _reply(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _body_schema(schema: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    content = operation.get("requestBody", {}).get("content", {})
    ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
    found: dict[str, Any] = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
    return found


def add_error_responses(schema: dict[str, Any]) -> dict[str, Any]:
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            body = _body_schema(schema, operation)
            extra = {
                "400": "A NUL character in a parameter or the body",
                "401": "No valid token or session (tokens expire and can be revoked)",
            }
            if "{slug}" in path:
                extra["404"] = "No such workspace or record visible to the caller"
            if method != "get":
                extra["403"] = "The caller's role may not change this (or a missing CSRF token)"
            if operation.get("parameters") or body:
                extra["422"] = "Invalid input: `detail` lists each field and what is wrong"
            if any(name.endswith("version") for name in body.get("properties", {})):
                extra["409"] = "Someone saved the record since the caller read it"
            for status, description in extra.items():
                responses.setdefault(int(status), _reply(description))
    return schema


class PartnerwiseAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        return add_error_responses(super().get_openapi_schema(**kwargs))
