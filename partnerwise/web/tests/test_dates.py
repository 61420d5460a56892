"""Dates: day, month and year boxes that keep what was typed; nothing dated in the future;
no end or renewal before the start. Through the pages, the API and the field itself."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partnerwise.appraisals.models import Decision
from partnerwise.conftest import Api, Cast
from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.dates import DayMonthYearField


class OneDate(forms.Form):
    when = DayMonthYearField(label="When")


def boxes(name: str, day: str, month: str, year: str) -> dict[str, str]:
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_three_boxes_make_a_date() -> None:
    form = OneDate(boxes("when", "7", "3", "2026"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["when"] == date(2026, 3, 7)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (("31", "2", "2026"), "February 2026 has no day 31 (you typed 31/2/2026)"),
        (("1", "13", "2026"), "there is no month 13 (you typed 1/13/2026)"),
        (("1", "3", ""), "must include a year"),
        (("", "", "26"), "must include a day and a month"),
        (("1", "3", "26"), "the year must have 4 numbers (you typed 1/3/26)"),
        (("a", "3", "2026"), "must be in numbers, for example 27 3 2026 (you typed a/3/2026)"),
    ],
)
def test_an_invalid_date_is_named_and_kept_in_the_boxes(
    typed: tuple[str, str, str], message: str
) -> None:
    form = OneDate(boxes("when", *typed))
    assert not form.is_valid()
    assert message in form.errors["when"][0]
    html = str(form["when"])
    for value in typed:
        if value:
            assert f'value="{value}"' in html


def test_the_api_form_of_one_iso_date_still_works() -> None:
    assert OneDate({"when": "2026-03-07"}).is_valid()
    wrong = OneDate({"when": "07/03/2026"})
    assert not wrong.is_valid()
    assert "'07/03/2026' is not a date" in wrong.errors["when"][0]


def test_a_rating_cannot_be_dated_in_the_future(cast: Cast) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    url = reverse("assess", args=["hope", cast.partnership.pk, cast.prime.pk])
    data = {
        "rater_name": "Sam",
        "rating_power": "5",
        **boxes("assessed_on", str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)),
    }
    page = signed_in(cast.editor).post(url, data)
    assert page.status_code == 200
    text = page.content.decode()
    assert "The date of a rating cannot be in the future" in text
    assert f'value="{tomorrow.year}"' in text
    assert not cast.workspace.assessments.exists()
    status, body = Api(cast.editor).call(
        "POST",
        f"/w/hope/partnerships/{cast.partnership.pk}/assessments",
        {
            "subject_id": cast.prime.pk,
            "answers": {"power": {"rating": 5}},
            "assessed_on": tomorrow.isoformat(),
        },
    )
    assert status == 422
    assert body["detail"][0]["loc"][-1] == "assessed_on"
    assert not cast.workspace.assessments.exists()


def test_a_rating_dated_today_is_kept(cast: Cast) -> None:
    today = timezone.localdate()
    url = reverse("assess", args=["hope", cast.partnership.pk, cast.prime.pk])
    data = {
        "rater_name": "Sam",
        "rating_power": "5",
        **boxes("assessed_on", str(today.day), str(today.month), str(today.year)),
    }
    assert signed_in(cast.editor).post(url, data).status_code == 302
    assert cast.workspace.assessments.get().assessed_on == today


def test_a_decision_cannot_be_dated_in_the_future(cast: Cast) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    url = reverse("appraisals:decide", args=["hope", cast.partnership.pk])
    data = {
        "outcome": "go",
        "reasons": "Worth it.",
        "approved_by": "Board of trustees",
        "appraisal_version": 0,
        **boxes("decided_on", str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)),
    }
    page = signed_in(cast.editor).post(url, data)
    assert page.status_code == 400
    assert "The date of a decision cannot be in the future" in page.content.decode()
    assert not Decision.objects.exists()
    status, _ = Api(cast.editor).call(
        "POST",
        f"/w/hope/partnerships/{cast.partnership.pk}/decisions",
        {
            "outcome": "go",
            "reasons": "Worth it.",
            "approved_by": "CEO",
            "decided_on": tomorrow.isoformat(),
            "appraisal_version": 0,
        },
    )
    assert status == 422
    assert not Decision.objects.exists()


def test_an_end_or_renewal_before_the_start_is_refused(cast: Cast) -> None:
    url = reverse("partnership_new", args=["hope"])
    data = {
        "name": "Backwards",
        "form": "grant",
        "status": "idea",
        **boxes("start_date", "1", "4", "2026"),
        **boxes("end_date", "31", "3", "2026"),
        **boxes("renewal_date", "1", "1", "2026"),
    }
    text = signed_in(cast.editor).post(url, data).content.decode()
    assert "The end date (31 March 2026) must be on or after the start date (1 April 2026)" in text
    assert "The renewal date (1 January 2026) must be on or after the start date" in text
    assert not Partnership.objects.filter(name="Backwards").exists()
    status, body = Api(cast.editor).call(
        "POST",
        "/w/hope/partnerships",
        {
            "name": "Backwards",
            "form": "grant",
            "start_date": "2026-04-01",
            "renewal_date": "2026-01-01",
        },
    )
    assert status == 422
    assert "renewal date" in str(body)
