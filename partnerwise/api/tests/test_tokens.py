"""API tokens as people and hosts manage them: expiry, revoking on the page and from the
command line, last-used time, and revocation when the password changes."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.staticfiles import finders
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from partnerwise.api.models import ApiToken
from partnerwise.conftest import PASSWORD, Api, Cast


def test_an_expired_token_is_refused(cast: Cast) -> None:
    api = Api(cast.editor)
    assert api.call("GET", "/w/hope/partnerships")[0] == 200
    ApiToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert api.call("GET", "/w/hope/partnerships")[0] == 401


def test_tokens_expire_in_90_days_unless_chosen(cast: Cast) -> None:
    Api(cast.editor)
    token = ApiToken.objects.get()
    assert timedelta(days=89) < token.expires - timezone.now() <= timedelta(days=90)


def test_last_used_is_recorded(cast: Cast) -> None:
    api = Api(cast.editor)
    assert ApiToken.objects.get().last_used is None
    api.call("GET", "/w/hope/partnerships")
    assert ApiToken.objects.get().last_used is not None


def test_a_password_reset_revokes_the_users_tokens(cast: Cast) -> None:
    mine, theirs = Api(cast.editor), Api(cast.viewer)
    form = SetPasswordForm(
        cast.editor,
        {"new_password1": "a new long password 42", "new_password2": "a new long password 42"},
    )
    assert form.is_valid(), form.errors
    form.save()
    assert mine.call("GET", "/w/hope/partnerships")[0] == 401
    assert theirs.call("GET", "/w/hope/partnerships")[0] == 200
    # Signing in (which saves last_login) revokes nothing.
    Client().login(username=cast.viewer.username, password=PASSWORD)
    assert theirs.call("GET", "/w/hope/partnerships")[0] == 200


def test_the_tokens_page_makes_shows_and_revokes_tokens(cast: Cast) -> None:
    browser = Client()
    browser.force_login(cast.editor)
    page = browser.post("/account/tokens/", {"name": "Reporting script", "days": "30"})
    assert page.status_code == 200
    token = page.context["new_token"]
    assert token.startswith("pw_") and token in page.content.decode()
    row = ApiToken.objects.get(user=cast.editor)
    assert timedelta(days=29) < row.expires - timezone.now() <= timedelta(days=30)
    api = Api(cast.editor)
    api.token = token
    assert api.call("GET", "/w/hope/partnerships")[0] == 200
    listed = browser.get("/account/tokens/").content.decode()
    assert "Reporting script" in listed and token not in listed
    answer = browser.post(f"/account/tokens/{row.pk}/revoke/", follow=True)
    assert "no longer works" in answer.content.decode()
    assert api.call("GET", "/w/hope/partnerships")[0] == 401


def test_nobody_revokes_another_persons_token(cast: Cast) -> None:
    theirs = Api(cast.viewer)
    row = ApiToken.objects.get()
    browser = Client()
    browser.force_login(cast.editor)
    assert browser.post(f"/account/tokens/{row.pk}/revoke/").status_code == 404
    assert theirs.call("GET", "/w/hope/partnerships")[0] == 200


def test_the_command_line_lists_and_revokes_a_token(cast: Cast) -> None:
    out = StringIO()
    call_command("api_token", cast.editor.username, "--name", "cron", "--days", "7", stdout=out)
    token = out.getvalue().strip()
    listing = StringIO()
    call_command("api_token", cast.editor.username, "--list", stdout=listing)
    assert token[:8] in listing.getvalue() and "usable" in listing.getvalue()
    call_command("api_token", "--revoke", token[:8], stdout=StringIO())
    assert not ApiToken.objects.get().is_usable
    with pytest.raises(CommandError, match="no unrevoked token"):
        call_command("api_token", "--revoke", token[:8])


def test_api_docs_are_for_signed_in_users_and_load_nothing_from_a_cdn(cast: Cast) -> None:
    assert Client().get("/api/docs").status_code == 302
    browser = Client()
    browser.force_login(cast.viewer)
    page = browser.get("/api/docs")
    html = page.content.decode()
    assert page.status_code == 200
    # Every script, style and link is the site's own (not "cdn" anywhere in the page: the
    # CSRF token in it is random text, which now and then contains those letters).
    urls = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in urls
    assert all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    assert "script-src 'self'" in page["Content-Security-Policy"]
    # Served with the site's own static files (collectstatic gathers it; see test_serve.py).
    assert finders.find("ninja/swagger-ui-bundle.js")
    # Programs still read the description without signing in.
    assert Client().get("/api/openapi.json").status_code == 200
