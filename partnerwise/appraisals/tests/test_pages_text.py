"""What the appraisal pages say: admin-written text escaped, and no recommendation without
evidence."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from partnerwise.appraisals.models import PlaybookEntry, Principle
from partnerwise.conftest import Cast

SCRIPT = '<script>alert("x")</script><b>bold</b>'


def test_a_value_description_is_escaped_on_the_appraisal_form(cast: Cast) -> None:
    Principle.objects.create(
        workspace=cast.workspace, kind="value", name="Honesty", description=SCRIPT
    )
    client = Client()
    client.force_login(cast.editor)
    url = reverse("appraisals:appraisal", args=[cast.workspace.slug, cast.partnership.pk])
    page = client.get(url).content.decode()
    assert "<script>alert" not in page
    assert "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_a_value_name_and_playbook_text_are_escaped_everywhere(cast: Cast) -> None:
    Principle.objects.create(workspace=cast.workspace, kind="value", name=SCRIPT)
    PlaybookEntry.objects.create(
        workspace=cast.workspace,
        key="custom",
        title=SCRIPT,
        kind="risk",
        severity="high",
        text=SCRIPT,
        forms=["supply_chain"],
    )
    client = Client()
    client.force_login(cast.admin)
    slug = cast.workspace.slug
    for url in [
        reverse("appraisals:principles", args=[slug]),
        reverse("appraisals:playbook", args=[slug]),
        reverse("appraisals:appraisal", args=[slug, cast.partnership.pk]),
        reverse("appraisals:board_paper", args=[slug, cast.partnership.pk]),
    ]:
        page = client.get(url).content.decode()
        assert "<script>alert" not in page, url


def test_the_appraisal_page_says_not_enough_and_what_is_missing(cast: Cast) -> None:
    Principle.objects.create(workspace=cast.workspace, kind="value", name="Openness")
    client = Client()
    client.force_login(cast.viewer)
    url = reverse("appraisals:appraisal", args=[cast.workspace.slug, cast.partnership.pk])
    page = client.get(url).content.decode()
    assert "Not enough to recommend yet" in page
    assert "What is missing" in page
    assert "Not rated yet against &#x27;Openness&#x27;" in page
