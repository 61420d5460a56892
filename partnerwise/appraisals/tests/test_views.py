"""The appraisal pages, from the side of each member of the cast and of an outsider."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerwise.appraisals.models import Appraisal, Decision, PlaybookEntry, Principle, Rating
from partnerwise.conftest import Cast, rate
from partnerwise.workspaces.models import ChangeRecord

BIG_BEAST = {"power": 5, "size_gap": 5, "gov_prime": 5, "price_first": 5, "sets_terms": 4}


def url(name: str, cast: Cast, *args: Any) -> str:
    return reverse(f"appraisals:{name}", args=[cast.workspace.slug, *args])


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def principle(cast: Cast, name: str, kind: str = "commitment", red: bool = False) -> Principle:
    return Principle.objects.create(workspace=cast.workspace, kind=kind, name=name, is_red_line=red)


def ratings_post(version: int, scores: dict[Principle, tuple[int | str, str]]) -> dict[str, Any]:
    data: dict[str, Any] = {"version": version, "notes": ""}
    for p, (score, evidence) in scores.items():
        data[f"score_{p.pk}"] = score
        data[f"evidence_{p.pk}"] = evidence
    return data


DECISION = {
    "outcome": "go",
    "reasons": "The board accepts the risk.",
    "conditions": "",
    "override_reason": "",
    "approved_by": "Board of trustees, 20 November 2026",
    "decided_on": "2026-11-20",
    "appraisal_version": 0,
}


@pytest.fixture
def safeguarding(cast: Cast) -> Principle:
    return principle(cast, "Safeguarding", red=True)


def test_outsider_gets_404_everywhere(cast: Cast, safeguarding: Principle) -> None:
    client = as_user(cast.outsider)
    pk = cast.partnership.pk
    pages: list[tuple[str, list[Any]]] = [
        ("appraisal", [pk]),
        ("decide", [pk]),
        ("board_paper", [pk]),
        ("principles", []),
        ("principle_edit", [safeguarding.pk]),
        ("playbook", []),
        ("playbook_entry", ["tupe"]),
    ]
    for name, args in pages:
        assert client.get(url(name, cast, *args)).status_code == 404, name
        assert client.post(url(name, cast, *args), {}).status_code == 404, name


def test_another_workspaces_partnership_is_404(cast: Cast) -> None:
    client = as_user(cast.outsider)
    theirs = reverse("appraisals:appraisal", args=[cast.other_workspace.slug, cast.partnership.pk])
    assert client.get(theirs).status_code == 404


def test_viewer_reads_but_cannot_write(cast: Cast, safeguarding: Principle) -> None:
    client = as_user(cast.viewer)
    pk = cast.partnership.pk
    page = client.get(url("appraisal", cast, pk))
    assert page.status_code == 200
    assert b"Save the appraisal" not in page.content
    assert client.get(url("board_paper", cast, pk)).status_code == 200
    assert client.get(url("principles", cast)).status_code == 200
    assert client.post(url("appraisal", cast, pk), {"version": 0}).status_code == 403
    assert client.post(url("decide", cast, pk), DECISION).status_code == 403
    assert client.post(url("principles", cast), {"kind": "value", "name": "X"}).status_code == 403
    assert not Decision.objects.exists()


def test_editor_cannot_change_values_or_playbook(cast: Cast, safeguarding: Principle) -> None:
    client = as_user(cast.editor)
    assert client.post(url("principles", cast), {"kind": "value", "name": "X"}).status_code == 403
    assert client.get(url("principle_edit", cast, safeguarding.pk)).status_code == 403
    assert client.get(url("playbook_entry", cast, "tupe")).status_code == 403
    assert client.post(url("playbook_reset", cast, "tupe")).status_code == 403


def test_csrf_is_enforced(cast: Cast, safeguarding: Principle) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.editor)
    response = client.post(url("appraisal", cast, cast.partnership.pk), {"version": 0})
    assert response.status_code == 403
    assert not Appraisal.objects.exists()


def test_editor_rates_and_history_records_it(cast: Cast, safeguarding: Principle) -> None:
    choice = principle(cast, "Client choice")
    client = as_user(cast.editor)
    pk = cast.partnership.pk
    data = ratings_post(0, {safeguarding: (1, "Shared policy"), choice: (-1, "Fewer options")})
    response = client.post(url("appraisal", cast, pk), data)
    assert response.status_code == 302
    appraisal = Appraisal.objects.get(partnership=cast.partnership)
    assert appraisal.version == 1
    assert {(r.principle.name, r.score, r.evidence) for r in Rating.objects.all()} == {
        ("Safeguarding", 1, "Shared policy"),
        ("Client choice", -1, "Fewer options"),
    }
    record = ChangeRecord.objects.get(object_id=appraisal.pk, action="rated")
    assert record.user == cast.editor
    assert {"field": "Safeguarding", "old": None, "new": "+1; Shared policy"} in record.changes
    page = client.get(url("appraisal", cast, pk)).content.decode()
    assert "+1; Shared policy" in page  # the history on the page


def test_second_save_on_a_stale_version_is_refused_and_keeps_input(
    cast: Cast, safeguarding: Principle
) -> None:
    first, second = as_user(cast.editor), as_user(cast.admin)
    pk = cast.partnership.pk
    assert (
        first.post(
            url("appraisal", cast, pk), ratings_post(0, {safeguarding: (2, "A")})
        ).status_code
        == 302
    )
    stale = second.post(
        url("appraisal", cast, pk), ratings_post(0, {safeguarding: (-2, "B typed")})
    )
    assert stale.status_code == 409
    text = stale.content.decode()
    assert "Not saved: someone else saved this appraisal" in text
    assert "B typed" in text  # what they typed is still in the form
    assert "Saved now: +2; A" in text
    rating = Rating.objects.get()
    assert (rating.score, rating.evidence) == (2, "A")
    # Saving again on the version now shown succeeds.
    again = second.post(url("appraisal", cast, pk), ratings_post(1, {safeguarding: (-2, "B")}))
    assert again.status_code == 302
    assert Rating.objects.get().score == -2


def test_red_line_go_is_refused_without_override_and_accepted_with_one(
    cast: Cast, safeguarding: Principle
) -> None:
    client = as_user(cast.editor)
    pk = cast.partnership.pk
    client.post(url("appraisal", cast, pk), ratings_post(0, {safeguarding: (-2, "No DBS")}))
    page = client.get(url("decide", cast, pk)).content.decode()
    assert "Don&#x27;t go" in page and "Safeguarding" in page
    refused = client.post(url("decide", cast, pk), {**DECISION, "appraisal_version": 1})
    assert refused.status_code == 400
    assert "conflicts with the red line &#x27;Safeguarding&#x27;" in refused.content.decode()
    assert not Decision.objects.exists()
    accepted = client.post(
        url("decide", cast, pk),
        {**DECISION, "appraisal_version": 1, "override_reason": "DBS checks funded by month 1."},
    )
    assert accepted.status_code == 302
    assert (
        "The appraisal has changed since"
        not in client.get(url("appraisal", cast, pk)).content.decode()
    )
    client.post(url("appraisal", cast, pk), ratings_post(1, {safeguarding: (1, "DBS done")}))
    page = client.get(url("appraisal", cast, pk)).content.decode()
    assert "The appraisal has changed since this decision was recorded" in page
    assert "now recommends Go with conditions" in page
    decision = Decision.objects.get()
    assert decision.outcome == "go"
    assert decision.recommendation == "dont_go"
    assert decision.red_line_conflicts == ["Safeguarding"]
    assert decision.decided_by == cast.editor
    assert ChangeRecord.objects.filter(action="recorded a decision").count() == 1


def test_dont_go_needs_no_override(cast: Cast, safeguarding: Principle) -> None:
    client = as_user(cast.editor)
    pk = cast.partnership.pk
    client.post(url("appraisal", cast, pk), ratings_post(0, {safeguarding: (-2, "No DBS")}))
    response = client.post(
        url("decide", cast, pk), {**DECISION, "outcome": "dont_go", "appraisal_version": 1}
    )
    assert response.status_code == 302


def test_decisions_are_kept_and_stale_decisions_refused(cast: Cast) -> None:
    first, second = as_user(cast.editor), as_user(cast.admin)
    pk = cast.partnership.pk
    assert first.post(url("decide", cast, pk), DECISION).status_code == 302
    latest = Decision.objects.get()
    # The second person opened the form before the first decision existed.
    stale = second.post(url("decide", cast, pk), {**DECISION, "outcome": "dont_go"})
    assert stale.status_code == 409
    assert "recorded a decision (Go) while you were writing" in stale.content.decode()
    assert Decision.objects.count() == 1
    newer = second.post(
        url("decide", cast, pk),
        {**DECISION, "outcome": "dont_go", "latest_decision": latest.pk, "reasons": "Rethink."},
    )
    assert newer.status_code == 302
    assert [d.outcome for d in Decision.objects.all()] == ["dont_go", "go"]
    page = first.get(url("decide", cast, pk)).content.decode()
    assert page.count("recorded a decision") == 2  # the history, on the decision page
    assert "Rethink." in page and "The board accepts the risk." in page
    # The appraisal changed since the form was opened: refused too.
    first.post(url("appraisal", cast, pk), {"version": 0, "notes": "New facts"})
    changed = first.post(
        url("decide", cast, pk),
        {**DECISION, "latest_decision": Decision.objects.first().pk},  # type: ignore[union-attr]
    )
    assert changed.status_code == 409
    assert "The appraisal was changed while you were writing" in changed.content.decode()


def test_go_with_conditions_needs_conditions(cast: Cast) -> None:
    client = as_user(cast.editor)
    response = client.post(
        url("decide", cast, cast.partnership.pk), {**DECISION, "outcome": "go_with_conditions"}
    )
    assert response.status_code == 400
    assert "Write the conditions" in response.content.decode()


def test_board_paper_has_the_decision_archetypes_and_ratings(
    cast: Cast, safeguarding: Principle
) -> None:
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, BIG_BEAST)
    client = as_user(cast.editor)
    pk = cast.partnership.pk
    client.post(url("appraisal", cast, pk), ratings_post(0, {safeguarding: (1, "Aligned")}))
    client.post(
        url("decide", cast, pk),
        {
            **DECISION,
            "appraisal_version": 1,
            "outcome": "go_with_conditions",
            "conditions": "30-day payment",
        },
    )
    paper = as_user(cast.viewer).get(url("board_paper", cast, pk)).content.decode()
    assert "Board of trustees, 20 November 2026" in paper
    assert "30-day payment" in paper
    assert "Big beasts" in paper
    assert "Payment by results starves cash flow" in paper
    assert "Aligned" in paper
    assert "appraisals/appraisals.css" in paper


def test_appraisal_page_queries_do_not_grow_with_values_and_ratings(cast: Cast) -> None:
    client = as_user(cast.editor)
    pk = cast.partnership.pk
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, BIG_BEAST)

    def add_and_count(n: int, start: int) -> list[int]:
        made = [principle(cast, f"Commitment {start + i}") for i in range(n)]
        version = (
            Appraisal.objects.filter(partnership=cast.partnership)
            .values_list("version", flat=True)
            .first()
            or 0
        )
        client.post(url("appraisal", cast, pk), ratings_post(version, {p: (1, "e") for p in made}))
        PlaybookEntry.objects.create(
            workspace=cast.workspace,
            key=f"own_{start}",
            title="Own",
            kind="term",
            severity="low",
            text="T",
        )
        counts = []
        for reader, page in [(client, "appraisal"), (viewer, "appraisal"), (viewer, "board_paper")]:
            with CaptureQueriesContext(connection) as queries:
                assert reader.get(url(page, cast, pk)).status_code == 200
            counts.append(len(queries))
        return counts

    viewer = as_user(cast.viewer)
    viewer.get(url("appraisal", cast, pk))  # the first request fills per-process caches
    few = add_and_count(2, 0)
    many = add_and_count(20, 100)
    assert few == many


def test_cli_prints_the_appraisal(cast: Cast, safeguarding: Principle) -> None:
    Rating.objects.create(
        workspace=cast.workspace,
        appraisal=Appraisal.objects.create(workspace=cast.workspace, partnership=cast.partnership),
        principle=safeguarding,
        score=-2,
    )
    out = StringIO()
    call_command("appraise", "hope", str(cast.partnership.pk), stdout=out)
    assert "Recommendation: Don't go" in out.getvalue()
    assert "Red line 'Safeguarding' is rated as in conflict." in out.getvalue()
    out = StringIO()
    call_command("appraise", "hope", str(cast.partnership.pk), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["recommendation"] == "dont_go"
    assert data["red_line_conflicts"] == ["Safeguarding"]
    with pytest.raises(CommandError, match="no partnership with id 999"):
        call_command("appraise", "hope", "999")
    with pytest.raises(CommandError, match="No workspace with the slug 'nope'"):
        call_command("appraise", "nope", "1")


def test_summary_on_the_partnership_page_has_constant_queries(cast: Cast) -> None:
    client = as_user(cast.viewer)
    page = reverse("partnership_detail", args=[cast.workspace.slug, cast.partnership.pk])

    def count(n: int, start: int) -> int:
        for i in range(n):
            principle(cast, f"Value {start + i}", kind="value")
        Decision.objects.create(
            workspace=cast.workspace,
            partnership=cast.partnership,
            outcome="dont_go",
            recommendation="dont_go",
            reasons="r",
            approved_by=f"Board {start}",
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page)
        assert f"approved by Board {start}" in response.content.decode()
        return len(queries)

    client.get(page)  # the first request fills per-process caches (content types)
    assert count(1, 0) == count(15, 100)


def test_decision_form_starts_with_todays_date(cast: Cast) -> None:
    from django.utils import timezone

    page = as_user(cast.editor).get(url("decide", cast, cast.partnership.pk)).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in page
