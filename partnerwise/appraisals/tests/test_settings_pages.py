"""Values and commitments, the suggested list, and a workspace's own playbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from partnerwise.appraisals.appraising import appraise
from partnerwise.appraisals.models import PlaybookEntry, Principle
from partnerwise.appraisals.suggestions import SuggestionsError, load_suggestions, suggestions
from partnerwise.conftest import Cast
from partnerwise.workspaces.models import ChangeRecord

ENTRY = {
    "title": "TUPE, our way",
    "kind": "risk",
    "severity": "low",
    "text": "Our own words.",
    "source": "Our HR lead",
    "forms": ["supply_chain"],
    "enabled": "on",
}


def url(name: str, cast: Cast, *args: Any) -> str:
    return reverse(f"appraisals:{name}", args=[cast.workspace.slug, *args])


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def hit_ids(cast: Cast) -> dict[str, str]:
    picture = appraise(workspace=cast.workspace, partnership=cast.partnership)
    return {
        hit.entry.id: hit.entry.severity
        for hit in picture.recommendation.risks + picture.recommendation.terms
    }


def test_admin_adds_edits_and_deletes_a_value_with_history(cast: Cast) -> None:
    client = as_user(cast.admin)
    added = client.post(
        url("principles", cast),
        {"kind": "value", "name": "Independence", "description": "", "position": 0},
    )
    assert added.status_code == 302
    principle = Principle.objects.get()
    assert principle.workspace == cast.workspace
    duplicate = client.post(
        url("principles", cast), {"kind": "value", "name": "Independence", "position": 0}
    )
    assert duplicate.status_code == 400
    assert "already one with this name" in duplicate.content.decode()
    edit = {"kind": "value", "name": "Independence", "is_red_line": "on", "position": 1}
    assert (
        client.post(url("principle_edit", cast, principle.pk), {**edit, "version": 1}).status_code
        == 302
    )
    principle.refresh_from_db()
    assert principle.is_red_line and principle.version == 2
    record = ChangeRecord.objects.get(action="edited", object_id=principle.pk)
    assert {"field": "is_red_line", "old": False, "new": True} in record.changes
    stale = client.post(
        url("principle_edit", cast, principle.pk), {**edit, "version": 1, "name": "Voice"}
    )
    assert stale.status_code == 409
    assert "Not saved: someone else changed this" in stale.content.decode()
    assert Principle.objects.get().name == "Independence"
    assert client.post(url("principle_delete", cast, principle.pk)).status_code == 302
    assert not Principle.objects.exists()


def test_suggested_list_is_added_once(cast: Cast) -> None:
    client = as_user(cast.admin)
    Principle.objects.create(workspace=cast.workspace, kind="commitment", name="Safeguarding")
    assert client.post(url("principles_adopt", cast)).status_code == 302
    names = list(cast.workspace.principles.values_list("name", flat=True))
    assert len(names) == len(suggestions())
    assert names.count("Safeguarding") == 1
    client.post(url("principles_adopt", cast))
    assert cast.workspace.principles.count() == len(suggestions())
    assert cast.other_workspace.principles.count() == 0
    red = set(cast.workspace.principles.filter(is_red_line=True).values_list("name", flat=True))
    assert red == {"Data protection and confidentiality"}  # ours existed, not a red line
    assert as_user(cast.editor).post(url("principles_adopt", cast)).status_code == 403


def test_a_bad_suggestions_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "principles.toml"
    path.write_text('[[values]]\nname = "A"\n[[commitments]]\nname = ""\n', encoding="utf-8")
    with pytest.raises(SuggestionsError, match=r"principles.toml: commitments 1, field 'name'"):
        load_suggestions(path)


def test_editing_a_shipped_entry_changes_this_workspace_only(cast: Cast) -> None:
    client = as_user(cast.admin)
    assert hit_ids(cast)["tupe"] == "high"
    form = client.get(url("playbook_entry", cast, "tupe")).content.decode()
    assert "TUPE: staff may transfer with the service" in form
    assert (
        client.post(url("playbook_entry", cast, "tupe"), {**ENTRY, "version": 0}).status_code == 302
    )
    assert hit_ids(cast)["tupe"] == "low"
    playbook = client.get(url("playbook", cast)).content.decode()
    assert "TUPE, our way" in playbook and "Edited here" in playbook
    # Another workspace still has the shipped entry.
    other = PlaybookEntry.objects.filter(workspace=cast.other_workspace)
    assert not other.exists()
    # Switch it off: it no longer applies.
    off = {**ENTRY, "version": 1}
    del off["enabled"]
    assert client.post(url("playbook_entry", cast, "tupe"), off).status_code == 302
    assert "tupe" not in hit_ids(cast)
    # A stale edit is refused.
    stale = client.post(url("playbook_entry", cast, "tupe"), {**ENTRY, "version": 1})
    assert stale.status_code == 409
    assert "tupe" not in hit_ids(cast)
    # Reset: back to the shipped text.
    assert client.post(url("playbook_reset", cast, "tupe")).status_code == 302
    assert hit_ids(cast)["tupe"] == "high"
    assert ChangeRecord.objects.filter(action="reset to shipped").count() == 1


def test_adding_an_own_entry_that_applies_by_our_role(cast: Cast) -> None:
    client = as_user(cast.admin)
    own = {
        **ENTRY,
        "key": "our_rule",
        "title": "Our rule",
        "forms": [],
        "our_roles": ["subcontractor"],
    }
    assert client.post(url("playbook_new", cast), own).status_code == 302
    assert hit_ids(cast)["our_rule"] == "low"
    clash = client.post(url("playbook_new", cast), {**own, "key": "tupe"})
    assert clash.status_code == 400
    assert "A shipped entry has this id" in clash.content.decode()
    bad = client.post(url("playbook_new", cast), {**own, "key": "new"})
    assert bad.status_code == 400
    assert client.post(url("playbook_reset", cast, "our_rule")).status_code == 302
    assert "our_rule" not in hit_ids(cast)


def test_unknown_playbook_entry_is_404(cast: Cast) -> None:
    assert as_user(cast.admin).get(url("playbook_entry", cast, "no_such")).status_code == 404
