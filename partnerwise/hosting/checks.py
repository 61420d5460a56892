"""What must be true before production serves a page, as Django system checks.

`check --deploy` runs them, `partnerwise serve` runs them after collecting static files, and
the WSGI entry point runs them when it starts in production (see `startup.refuse_unless_ready`),
so a host who starts gunicorn by hand is stopped too. Each message is one line saying what to do.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

DEV_KEY_PREFIX = "dev-only-not-secret-"


def manifest_path() -> Any:
    return settings.STATIC_ROOT / "staticfiles.json"


def problems(*, static: bool = True) -> list[CheckMessage]:
    """The reasons production must not start; empty outside production. `static=False`
    leaves out the static files, for the moment before `collectstatic` has run."""
    if not settings.PRODUCTION:
        return []
    found: list[CheckMessage] = []
    if settings.SECRET_KEY.startswith(DEV_KEY_PREFIX) or len(set(settings.SECRET_KEY)) < 5:
        found.append(
            Error(
                "SECRET_KEY is the development default: set SECRET_KEY to 50+ random characters "
                "(python -c 'import secrets; print(secrets.token_urlsafe(50))').",
                id="hosting.E001",
            )
        )
    if not settings.ALLOWED_HOSTS:
        found.append(
            Error(
                "ALLOWED_HOSTS is empty: set ALLOWED_HOSTS to the site's host name, "
                "e.g. ALLOWED_HOSTS=partnerwise.example.org.",
                id="hosting.E002",
            )
        )
    if static and not manifest_path().exists():
        found.append(
            Error(
                f"Static files are not collected in {settings.STATIC_ROOT}: run "
                "`partnerwise collectstatic --noinput` (or start with `make serve`).",
                id="hosting.E003",
            )
        )
    return found


@register("hosting", deploy=True)
def production_ready(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return problems()
