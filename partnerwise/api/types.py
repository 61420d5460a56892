"""Bounded input types for the API schemas, so the OpenAPI description states the limits the
database really has and bad input is a 422 naming the field (not a 500 from the database)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# SQLite and PostgreSQL both store ids as signed 64-bit integers.
MAX_ID = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text20 = Annotated[str, Field(max_length=20)]
Text50 = Annotated[str, Field(max_length=50)]
Text100 = Annotated[str, Field(max_length=100)]
Text200 = Annotated[str, Field(max_length=200)]
Text300 = Annotated[str, Field(max_length=300)]
# Only web addresses: a `javascript:` "website" would run in the page that links to it.
Website = Annotated[str, Field(max_length=500, pattern=r"^(https?://[^\s<>\"]+)?$")]
