"""Errors the API turns into clear JSON answers (422 naming the field).

A stale save is `partnerwise.workspaces.versioning.StaleVersion`, answered 409 by the API root."""

from __future__ import annotations

from typing import Any

from django.forms import BaseForm


class Invalid(Exception):
    """Bad input; `errors` is a list of {"loc": [...], "msg": "..."} like Ninja's own."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors

    @classmethod
    def field(cls, loc: list[str | int], message: str) -> Invalid:
        return cls([{"loc": ["body", *loc], "msg": message, "type": "value_error"}])

    @classmethod
    def from_form(cls, form: BaseForm) -> Invalid:
        return cls(
            [
                {"loc": ["body", field], "msg": str(message), "type": "value_error"}
                for field, messages in form.errors.items()
                for message in messages
            ]
        )
