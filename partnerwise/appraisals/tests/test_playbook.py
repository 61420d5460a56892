"""The shipped playbook file, its validation, and merging a workspace's edits over it."""

from __future__ import annotations

from pathlib import Path

import pytest

from partnerwise.appraisals import playbook as pb
from partnerwise.partnerships.models import Form, Role

GOOD = """
[[entries]]
id = "one"
title = "One"
kind = "risk"
severity = "high"
text = "Text."
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "playbook.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_playbook_loads_and_covers_the_brief() -> None:
    entries = pb.shipped_playbook()
    ids = {entry.id for entry in entries}
    assert len(ids) == len(entries)
    for needed in (
        "compact_notice",
        "full_cost_recovery",
        "big_beast_payment_by_results",
        "big_beast_volume",
        "exit_terms",
        "dispute_resolution",
        "data_sharing",
        "tupe",
        "merlin_standard",
    ):
        assert needed in ids
    archetypes = {a for entry in entries for a in entry.archetypes}
    assert archetypes == {"transactional", "megalomaniac", "big_beast", "good_guy", "wide_eyed"}
    assert all(entry.source for entry in entries)


def test_every_shipped_entry_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[3] / "docs" / "playbook.md").read_text()
    missing = [entry.id for entry in pb.shipped_playbook() if f"`{entry.id}`" not in doc]
    assert missing == []


def test_forms_and_roles_match_the_models() -> None:
    assert dict(pb.FORM_LABELS) == {str(k): str(v) for k, v in Form.choices}
    assert dict(pb.ROLE_LABELS) == {str(k): str(v) for k, v in Role.choices}


def test_a_good_file_loads(tmp_path: Path) -> None:
    (entry,) = pb.load_playbook(write(tmp_path, GOOD))
    assert entry == pb.Entry("one", "One", "risk", "high", "Text.")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('kind = "risk"', 'kind = "rsk"'), "entry 1 ('one'), field 'kind': expected one of"),
        (('severity = "high"', "severity = 3"), "entry 1 ('one'), field 'severity'"),
        (('title = "One"', 'title = ""'), "entry 1 ('one'), field 'title': missing or empty"),
        (('id = "one"', 'id = "One!"'), "entry 1, field 'id'"),
        (('text = "Text."', 'text = "T."\nforms = ["pub"]'), "unknown form 'pub'"),
        (('text = "Text."', 'text = "T."\nour_roles = "prime"'), "field 'our_roles'"),
        (('text = "Text."', 'text = "T."\ncolour = "red"'), "unknown field 'colour'"),
    ],
)
def test_a_bad_entry_is_named_with_file_and_field(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(pb.PlaybookError) as error:
        pb.load_playbook(path)
    assert str(error.value).startswith(str(path))
    assert message in str(error.value)


def test_duplicate_ids_and_bad_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(pb.PlaybookError, match=r"entry 2 \('one'\): id used by an earlier"):
        pb.load_playbook(write(tmp_path, GOOD + GOOD))
    with pytest.raises(pb.PlaybookError, match=r"not valid TOML.*line"):
        pb.load_playbook(write(tmp_path, "[[entries]\nid = 1"))
    with pytest.raises(pb.PlaybookError, match="cannot read the playbook"):
        pb.load_playbook(tmp_path / "absent.toml")
    with pytest.raises(pb.PlaybookError, match="'entries' must be a non-empty list"):
        pb.load_playbook(write(tmp_path, "version = 1\n"))


def test_merge_edits_in_place_adds_at_the_end_and_keeps_disabled() -> None:
    shipped = [pb.Entry("a", "A", "risk", "high", "."), pb.Entry("b", "B", "term", "low", ".")]
    overrides = [
        pb.Entry("new", "New", "term", "medium", "."),
        pb.Entry("a", "A edited", "risk", "low", ".", enabled=False),
    ]
    merged = pb.merge(shipped, overrides)
    assert [(e.id, e.title, e.origin, e.enabled) for e in merged] == [
        ("a", "A edited", "edited", False),
        ("b", "B", "shipped", True),
        ("new", "New", "added", True),
    ]
