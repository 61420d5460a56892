"""A URL converter for database ids that cannot overflow a 64-bit integer column.

Django's `int` converter matches any run of digits, so /partnerships/99999999999999999999/
reached the database and SQLite raised OverflowError (a 500). Eighteen digits are always
below 2**63; longer numbers do not match and the page answers 404.
"""

from __future__ import annotations


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
