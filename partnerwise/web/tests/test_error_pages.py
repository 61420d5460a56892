"""Styled error pages (with DEBUG off, as in production), a favicon, one breadcrumb pattern,
no empty radio button, and wide tables that scroll inside their own box."""

from __future__ import annotations

import re

from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from partnerwise.conftest import Cast

STYLESHEET = "web/partnerwise"


def test_404_is_styled_with_debug_off(cast: Cast, settings: object) -> None:
    settings.DEBUG = False  # type: ignore[attr-defined]
    client = Client()
    client.force_login(cast.outsider)
    response = client.get(reverse("partnership_detail", args=["hope", cast.partnership.pk]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page and STYLESHEET in page
    assert 'rel="icon"' in page


def test_403_is_styled_and_says_why(cast: Cast, settings: object) -> None:
    settings.DEBUG = False  # type: ignore[attr-defined]
    client = Client()
    client.force_login(cast.viewer)
    response = client.get(reverse("partnership_new", args=["hope"]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "You cannot do that here" in page and STYLESHEET in page
    assert "This needs the editor role." in page


def test_500_is_styled(settings: object) -> None:
    settings.DEBUG = False  # type: ignore[attr-defined]
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page and STYLESHEET in page


def test_radios_have_no_empty_choice_and_crumbs_have_one_pattern(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.editor)
    page = client.get(reverse("partnership_new", args=["hope"])).content.decode()
    assert "---------" not in page and 'value=""' not in re.sub(
        r"<input[^>]*hidden[^>]*>", "", page
    )
    assert 'aria-current="page">Record a partnership</li>' in page
    for url in [
        reverse("partnership_detail", args=["hope", cast.partnership.pk]),
        reverse("appraisals:appraisal", args=["hope", cast.partnership.pk]),
        reverse("profile", args=["hope", cast.partnership.pk, cast.prime.pk]),
    ]:
        text = client.get(url).content.decode()
        crumbs = text[
            text.index('class="breadcrumbs"') : text.index(
                "</nav>", text.index('class="breadcrumbs"')
            )
        ]
        assert crumbs.count('aria-current="page"') == 1, url
        assert ">Portfolio</a>" in crumbs and ">Partnerships</a>" in crumbs, url


def test_wide_tables_scroll_in_their_own_box(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.viewer)
    for url in [
        reverse("workspace_home", args=["hope"]),
        reverse("partnership_list", args=["hope"]),
        reverse("partnership_detail", args=["hope", cast.partnership.pk]),
    ]:
        page = client.get(url).content.decode()
        tables = page.count("<table")
        assert tables and page.count('class="table-scroll"') == tables, url
