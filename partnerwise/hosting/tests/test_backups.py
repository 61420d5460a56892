"""Backups as a host uses them: `partnerwise backup`, wipe, `partnerwise restore`, on
whichever database the suite runs on (SQLite or PostgreSQL)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from partnerwise.hosting.backups import live_row_counts
from partnerwise.workspaces.models import User, Workspace

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo() -> dict[str, int]:
    call_command("load_demo", verbosity=0)
    return live_row_counts()


def rewrite(
    source: Path, target: Path, *, manifest: dict[str, object] | None = None, damage: bool = False
) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "manifest.json" and manifest is not None:
                data = json.dumps({**json.loads(data), **manifest}).encode()
            elif item.filename != "manifest.json" and damage:
                middle = len(data) // 2
                data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
            new.writestr(item, data)


def test_backup_wipe_restore_gives_identical_row_counts(
    demo: dict[str, int], tmp_path: Path
) -> None:
    assert demo["workspaces_workspace"] >= 1 and demo["assessments_answer"] > 0
    file = tmp_path / "site.pwbackup"
    call_command("backup", str(file), verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    assert live_row_counts()["assessments_answer"] == 0
    call_command("restore", str(file), verbosity=0)
    assert live_row_counts() == demo
    assert Workspace.objects.filter(slug="demo").exists()
    assert User.objects.get(username="demo@example.org").check_password("partnerwise-demo")


def test_the_manifest_names_version_migrations_rows_and_checksum(
    demo: dict[str, int], tmp_path: Path
) -> None:
    file = tmp_path / "site.pwbackup"
    call_command("backup", str(file), verbosity=0)
    with zipfile.ZipFile(file) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["version"] == "0.1.0"
    assert "0001_initial" in manifest["migrations"]["workspaces"]
    assert manifest["rows"] == demo
    assert len(manifest["sha256"]) == 64


def test_restore_refuses_a_corrupt_file_and_changes_nothing(
    demo: dict[str, int], tmp_path: Path
) -> None:
    good, bad = tmp_path / "good.pwbackup", tmp_path / "bad.pwbackup"
    call_command("backup", str(good), verbosity=0)
    Workspace.objects.create(name="Made after the backup", slug="later")
    after = live_row_counts()
    rewrite(good, bad, damage=True)
    with pytest.raises(CommandError, match=r"corrupt \(checksum differs\): nothing was restored"):
        call_command("restore", str(bad), verbosity=0)
    assert live_row_counts() == after


def test_restore_refuses_a_backup_from_a_newer_version(
    demo: dict[str, int], tmp_path: Path
) -> None:
    good, newer = tmp_path / "good.pwbackup", tmp_path / "newer.pwbackup"
    call_command("backup", str(good), verbosity=0)
    with zipfile.ZipFile(good) as archive:
        migrations = json.loads(archive.read("manifest.json"))["migrations"]
    migrations["workspaces"].append("0999_from_the_future")
    rewrite(good, newer, manifest={"migrations": migrations, "version": "0.2.0"})
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError, match=r"made by a newer Partnerwise, 0\.2\.0.*0999_from_the"):
        call_command("restore", str(newer), verbosity=0)
    assert live_row_counts()["workspaces_workspace"] == 0


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    stray = tmp_path / "notes.txt"
    stray.write_text("not a backup")
    with pytest.raises(CommandError, match=r"notes\.txt is not a Partnerwise backup"):
        call_command("restore", str(stray), verbosity=0)
    with pytest.raises(CommandError, match="no file"):
        call_command("restore", str(tmp_path / "missing.pwbackup"), verbosity=0)
