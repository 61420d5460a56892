"""One rater, one current rating: a colleague's paper answers entered by someone else are
theirs, shown as "entered by X for Y", and never replace the answers of the person typing."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from partnerwise.assessments.models import Assessment
from partnerwise.assessments.profiles import profile_for
from partnerwise.conftest import Cast


def post(client: Client, cast: Cast, name: str, power: str, on_behalf: bool) -> int:
    url = reverse("assess", args=["hope", cast.partnership.pk, cast.prime.pk])
    data = {"rater_name": name, "assessed_on": "2026-10-01", "rating_power": power}
    if on_behalf:
        data["on_behalf"] = "on"
    return client.post(url, data).status_code


def test_paper_answers_entered_for_colleagues_are_theirs(cast: Cast) -> None:
    cast.admin.first_name, cast.admin.last_name = "Ada", "Admin"
    cast.admin.save()
    editor = Client()
    editor.force_login(cast.editor)
    assert post(editor, cast, "editor@hope.org", "5", on_behalf=False) == 302
    # Ada has an account: her paper answers are kept as hers.
    assert post(editor, cast, "Ada Admin", "1", on_behalf=True) == 302
    # Pat has none: kept under Pat's name.
    assert post(editor, cast, "Pat Paper", "3", on_behalf=True) == 302
    profile = profile_for(cast.workspace, cast.partnership, cast.prime)
    assert sorted(profile.raters) == ["Ada Admin", "Pat Paper", "editor@hope.org"]
    ada = Assessment.objects.get(rater_name="Ada Admin")
    assert ada.rater == cast.admin and ada.recorded_by == cast.editor and ada.entered_for
    pat = Assessment.objects.get(rater_name="Pat Paper")
    assert pat.rater is None and pat.recorded_by == cast.editor
    mine = Assessment.objects.get(rater_name="editor@hope.org")
    assert mine.rater == cast.editor and not mine.entered_for
    page = editor.get(reverse("profile", args=["hope", cast.partnership.pk, cast.prime.pk]))
    text = page.content.decode()
    assert "(entered by editor@hope.org for Ada Admin)" in text
    assert "(entered by editor@hope.org for Pat Paper)" in text
    # A later paper rating by Ada replaces only Ada's.
    assert post(editor, cast, "ada admin", "2", on_behalf=True) == 302
    profile = profile_for(cast.workspace, cast.partnership, cast.prime)
    assert len(profile.raters) == 3


def test_a_colleagues_name_without_on_behalf_is_refused(cast: Cast) -> None:
    editor = Client()
    editor.force_login(cast.editor)
    assert post(editor, cast, "editor@hope.org", "5", on_behalf=False) == 302
    url = reverse("assess", args=["hope", cast.partnership.pk, cast.prime.pk])
    page = editor.post(
        url, {"rater_name": "admin@hope.org", "assessed_on": "2026-10-01", "rating_power": "1"}
    )
    assert page.status_code == 200
    assert "admin@hope.org is a colleague: tick this" in page.content.decode()
    # On behalf of oneself makes no sense either.
    assert post(editor, cast, "editor@hope.org", "1", on_behalf=True) == 200
    assert Assessment.objects.count() == 1
    assert Assessment.objects.get().answer_map()["power"] == 5
