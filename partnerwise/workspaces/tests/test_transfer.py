"""A workspace leaving with its data: export_workspace, then import_workspace elsewhere (or
under another slug), with every record and every link between records kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from partnerwise.assessments.profiles import profile_for
from partnerwise.conftest import Cast
from partnerwise.organisations.models import Kind, Organisation, set_our_organisation
from partnerwise.partnerships.models import Participation
from partnerwise.workspaces.models import Workspace
from partnerwise.workspaces.transfer import MODELS, _model

pytestmark = pytest.mark.django_db


def counts(slug: str) -> dict[str, int]:
    workspace = Workspace.objects.get(slug=slug)
    found = {}
    for label in MODELS[1:]:
        found[label] = _model(label)._default_manager.filter(workspace=workspace).count()
    return found


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    call_command("load_demo", verbosity=0)
    target = tmp_path / "demo.json"
    call_command("export_workspace", "demo", str(target), verbosity=0)
    return target


def test_an_exported_workspace_imports_with_every_record(exported: Path) -> None:
    call_command("import_workspace", str(exported), "--slug", "demo-copy", verbosity=0)
    before, after = counts("demo"), counts("demo-copy")
    assert after == before
    assert before["assessments.Answer"] > 0 and before["workspaces.Membership"] > 0
    original, copy = (Workspace.objects.get(slug=s) for s in ["demo", "demo-copy"])
    assert copy.organisation == original.organisation  # the register record, found by org-id
    for theirs in original.partnerships.order_by("name"):
        mine = copy.partnerships.get(name=theirs.name)
        for participation in theirs.participations.all():
            subject = participation.organisation
            assert (
                profile_for(copy, mine, subject).best == profile_for(original, theirs, subject).best
            )


def test_the_file_is_documented_json(exported: Path) -> None:
    data = json.loads(exported.read_text())
    assert data["format"] == "partnerwise-workspace" and data["version"] == 1
    assert data["workspace"]["slug"] == "demo"
    assert list(data["records"]) == MODELS
    membership = data["records"]["workspaces.Membership"][0]["fields"]
    assert set(membership["user"]) >= {"user", "email"}
    assert all(
        row["fields"]["token_hash"] is None for row in data["records"]["workspaces.Invitation"]
    )


def test_import_refuses_an_existing_slug_and_bad_files(exported: Path, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="a workspace 'demo' exists here already"):
        call_command("import_workspace", str(exported))
    data = json.loads(exported.read_text())
    data["records"]["assessments.Answer"][0]["fields"]["assessment"] = {"ref": 10**9}
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_workspace", str(broken), "--slug", "half")
    assert not Workspace.objects.filter(slug="half").exists()
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({**data, "version": 2}))
    with pytest.raises(CommandError, match="newer than this Partnerwise reads"):
        call_command("import_workspace", str(newer), "--slug", "later")


def test_a_workspace_moves_with_its_private_organisations_and_people(
    cast: Cast, tmp_path: Path
) -> None:
    private = Organisation.objects.create(
        name="Our Own Friends Group", kind=Kind.OTHER, workspace=cast.workspace
    )
    private.add_identifier("GB-COH-09876543", primary=True)
    set_our_organisation(cast.workspace, private)
    Participation.objects.create(
        workspace=cast.workspace, partnership=cast.partnership, organisation=private, role="member"
    )
    target = tmp_path / "hope.json"
    call_command("export_workspace", "hope", str(target), verbosity=0)
    before = counts("hope")
    call_command("import_workspace", str(target), "--slug", "hope-moved", verbosity=0)
    assert counts("hope-moved") == before
    moved = Workspace.objects.get(slug="hope-moved")
    assert moved.organisation is not None and moved.organisation.workspace == moved
    assert moved.organisation.primary_identifier() == "GB-COH-09876543"
    assert moved.memberships.get(user__username="editor@hope.org").role == "editor"
