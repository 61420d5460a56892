"""The terms tracker: marking suggested terms through the pages, the API, the CLI and the
domain function, as each member of the cast and as an outsider."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from partnerwise.appraisals.appraising import appraise
from partnerwise.appraisals.models import PlaybookEntry, TermStatus
from partnerwise.appraisals.terms import TermError, mark_term, term_rows
from partnerwise.conftest import Api, Cast
from partnerwise.workspaces.models import ChangeRecord
from partnerwise.workspaces.versioning import StaleVersion


@pytest.fixture
def terms(cast: Cast) -> Cast:
    """Two of the workspace's own terms that apply to every supply chain: one to walk away
    over (high severity), one to trade (low)."""
    for key, severity, title in [
        ("open_books", "high", "Open-book pricing"),
        ("shared_logo", "low", "Our logo on the leaflets"),
    ]:
        PlaybookEntry.objects.create(
            workspace=cast.workspace,
            key=key,
            title=title,
            kind="term",
            severity=severity,
            text=f"Ask for {title.lower()}.",
            forms=["supply_chain"],
        )
    return cast


def term_url(cast: Cast, key: str, pk: int | None = None) -> str:
    return reverse("appraisals:term", args=[cast.workspace.slug, pk or cast.partnership.pk, key])


def page(cast: Cast, name: str) -> str:
    return reverse(f"appraisals:{name}", args=[cast.workspace.slug, cast.partnership.pk])


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows(cast: Cast) -> Any:
    picture = appraise(workspace=cast.workspace, partnership=cast.partnership)
    return term_rows(
        workspace=cast.workspace, partnership=cast.partnership, terms=picture.recommendation.terms
    )


def test_suggested_terms_start_not_raised_and_walk_away_is_high_severity(terms: Cast) -> None:
    by_key = {row.key: row for row in rows(terms)}
    assert by_key["open_books"].state_label == "Not raised yet"
    assert by_key["open_books"].walk_away
    assert not by_key["shared_logo"].walk_away
    assert by_key["open_books"].version == 0


def test_editor_marks_a_term_and_history_records_it(terms: Cast) -> None:
    client = as_user(terms.editor)
    response = client.post(
        term_url(terms, "shared_logo"),
        {"state": "asked", "note": "Raised at the 3 Dec meeting", "version": 0},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/appraisal/#terms-title")
    status = TermStatus.objects.get(partnership=terms.partnership, key="shared_logo")
    assert (status.state, status.note, status.version) == (
        "asked",
        "Raised at the 3 Dec meeting",
        1,
    )
    assert status.updated_by == terms.editor
    response = client.post(
        term_url(terms, "shared_logo"), {"state": "agreed", "note": "", "version": 1}
    )
    assert response.status_code == 302
    record = ChangeRecord.objects.filter(object_id=status.pk, action="marked a term").first()
    assert record is not None
    assert {"field": "state", "old": "Asked for", "new": "Agreed"} in record.changes
    appraisal_page = as_user(terms.viewer).get(page(terms, "appraisal")).content.decode()
    assert "Our logo on the leaflets" in appraisal_page
    assert "Agreed" in appraisal_page
    term_page = as_user(terms.viewer).get(term_url(terms, "shared_logo")).content.decode()
    assert "Asked for → Agreed" in term_page
    assert 'name="state"' not in term_page  # viewers read, they do not get the form


def test_refused_walk_away_term_is_flagged_on_the_appraisal_and_board_paper(terms: Cast) -> None:
    client = as_user(terms.editor)
    before = client.get(page(terms, "appraisal")).content.decode()
    assert "walk-away term was refused" not in before
    client.post(term_url(terms, "shared_logo"), {"state": "refused", "version": 0})
    after_trade = client.get(page(terms, "appraisal")).content.decode()
    assert "walk-away term was refused" not in after_trade  # a low term is not a walk-away
    client.post(
        term_url(terms, "open_books"), {"state": "refused", "note": "Prime said no", "version": 0}
    )
    appraisal_page = client.get(page(terms, "appraisal")).content.decode()
    assert "1 walk-away term was refused" in appraisal_page
    assert "Walk-away term refused:" in appraisal_page
    paper = as_user(terms.viewer).get(page(terms, "board_paper")).content.decode()
    assert "Walk-away term refused:" in paper
    assert "<strong>Open-book pricing</strong>: Prime said no" in paper
    assert "Mark this term" not in paper


def test_stale_mark_is_refused_and_changes_nothing(terms: Cast) -> None:
    client = as_user(terms.editor)
    client.post(term_url(terms, "open_books"), {"state": "asked", "version": 0})
    response = client.post(term_url(terms, "open_books"), {"state": "dropped", "version": 0})
    assert response.status_code == 409
    assert "someone else marked this term" in response.content.decode()
    assert TermStatus.objects.get(key="open_books").state == "asked"


def test_bad_input_and_unknown_terms(terms: Cast) -> None:
    client = as_user(terms.editor)
    response = client.post(term_url(terms, "open_books"), {"state": "won", "version": 0})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert client.get(term_url(terms, "no_such_term")).status_code == 404
    assert not TermStatus.objects.exists()


def test_who_may_mark(terms: Cast) -> None:
    post = {"state": "asked", "version": 0}
    assert as_user(terms.viewer).post(term_url(terms, "open_books"), post).status_code == 403
    outsider = as_user(terms.outsider)
    assert outsider.get(term_url(terms, "open_books")).status_code == 404
    assert outsider.post(term_url(terms, "open_books"), post).status_code == 404
    assert not TermStatus.objects.exists()


def test_a_marked_term_the_playbook_no_longer_suggests_is_kept(terms: Cast) -> None:
    as_user(terms.editor).post(term_url(terms, "shared_logo"), {"state": "agreed", "version": 0})
    PlaybookEntry.objects.filter(key="shared_logo").update(enabled=False)
    row = next(row for row in rows(terms) if row.key == "shared_logo")
    assert not row.suggested
    assert row.state_label == "Agreed"
    assert (
        "no longer suggests it"
        in as_user(terms.viewer).get(page(terms, "appraisal")).content.decode()
    )


def test_domain_function_names_the_problem(terms: Cast) -> None:
    current = rows(terms)
    with pytest.raises(TermError, match="'nope' is not one of the terms"):
        mark_term(
            workspace=terms.workspace,
            partnership=terms.partnership,
            user=terms.editor,
            rows=current,
            key="nope",
            state="asked",
            note="",
            seen_version=0,
        )
    with pytest.raises(TermError, match="'won' is not a state"):
        mark_term(
            workspace=terms.workspace,
            partnership=terms.partnership,
            user=terms.editor,
            rows=current,
            key="open_books",
            state="won",
            note="",
            seen_version=0,
        )
    mark_term(
        workspace=terms.workspace,
        partnership=terms.partnership,
        user=terms.editor,
        rows=current,
        key="open_books",
        state="asked",
        note="",
        seen_version=0,
    )
    with pytest.raises(StaleVersion):
        mark_term(
            workspace=terms.workspace,
            partnership=terms.partnership,
            user=terms.editor,
            rows=current,
            key="open_books",
            state="agreed",
            note="",
            seen_version=0,
        )
    assert TermStatus.objects.get().state == "asked"


def test_api_lists_and_marks_terms(terms: Cast) -> None:
    path = f"/w/hope/partnerships/{terms.partnership.pk}/terms"
    status, listed = Api(terms.viewer).call("GET", path)
    assert status == 200
    books = next(row for row in listed if row["key"] == "open_books")
    assert (books["state"], books["walk_away"], books["version"]) == ("", True, 0)
    editor = Api(terms.editor)
    status, body = editor.call(
        "PUT", path + "/open_books", {"state": "refused", "note": "No", "version": 0}
    )
    assert status == 200
    assert (body["state"], body["walk_away_refused"], body["version"]) == ("refused", True, 1)
    status, body = editor.call("PUT", path + "/open_books", {"state": "agreed", "version": 0})
    assert status == 409
    assert body["current"]["state"] == "refused"
    status, body = editor.call("PUT", path + "/open_books", {"state": "won", "version": 1})
    assert status == 422
    assert body["detail"][0]["loc"] == ["body", "state"]
    status, _ = Api(terms.viewer).call(
        "PUT", path + "/open_books", {"state": "asked", "version": 1}
    )
    assert status == 403
    status, _ = Api(terms.outsider).call("GET", path)
    assert status == 404
    assert TermStatus.objects.get().state == "refused"


def test_cli_prints_where_each_term_stands(terms: Cast) -> None:
    as_user(terms.editor).post(term_url(terms, "open_books"), {"state": "refused", "version": 0})
    out = StringIO()
    call_command("appraise", "hope", str(terms.partnership.pk), stdout=out)
    assert "[high] Open-book pricing: Refused (WALK-AWAY TERM REFUSED)" in out.getvalue()
    assert "[low] Our logo on the leaflets: Not raised yet" in out.getvalue()
    out = StringIO()
    call_command("appraise", "hope", str(terms.partnership.pk), "--json", stdout=out)
    states = {row["key"]: row["state"] for row in json.loads(out.getvalue())["term_states"]}
    assert states["open_books"] == "refused"
