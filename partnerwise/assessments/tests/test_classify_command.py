"""`partnerwise classify` as a user runs it: real files, real process, real exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

PARTNERWISE = [sys.executable, "-m", "partnerwise"]
MEGALOMANIAC = {"power": 5, "sets_terms": 5, "reluctant": 5, "slack": 1, "size_gap": 4}


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PARTNERWISE, "classify", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def write(tmp_path: Path, data: object, name: str = "answers.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_json_output_is_one_object_with_the_promised_keys(tmp_path: Path) -> None:
    result = run(str(write(tmp_path, {"answers": MEGALOMANIAC})), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["verdict"] == "match"
    assert data["best"] == "megalomaniac"
    assert set(data["fits"]) == {
        "transactional",
        "megalomaniac",
        "big_beast",
        "good_guy",
        "wide_eyed",
    }
    assert all(0 <= fit <= 1 for fit in data["fits"].values())
    assert 0 <= data["confidence"] <= 1
    assert data["reasons"] and all(isinstance(r, str) for r in data["reasons"])
    assert isinstance(data["next_questions"], list)


def test_text_output_is_for_a_person(tmp_path: Path) -> None:
    result = run(str(write(tmp_path, {"answers": MEGALOMANIAC})))
    assert result.returncode == 0, result.stderr
    assert "Megalomaniac" in result.stdout
    assert "{" not in result.stdout.splitlines()[0]


def test_several_raters_and_null_answers(tmp_path: Path) -> None:
    data = {
        "raters": [
            {"name": "Sam", "answers": {**MEGALOMANIAC, "decisive": None}},
            {"name": "Alex", "answers": {**MEGALOMANIAC, "slack": 4}},
        ]
    }
    result = run(str(write(tmp_path, data)), "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["best"] == "megalomaniac"
    assert [d["indicator"] for d in out["disagreements"]] == ["slack"]


def test_reads_standard_input() -> None:
    result = run("-", "--json", stdin=json.dumps({"answers": {"power": 5}}))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["verdict"] == "insufficient"


def test_himmelman_typology(tmp_path: Path) -> None:
    result = run(str(write(tmp_path, {"answers": {}})), "--typology", "himmelman", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["verdict"] == "insufficient"
    assert "collaborating" in out["fits"]


@pytest.mark.parametrize(
    ("content", "args", "expected"),
    [
        ('{"answers": {"power": 5,}}', [], "line 1"),
        ({"answers": {"powr": 5}}, [], "powr"),
        ({"answers": {"power": 6}}, [], "power"),
        ({"answers": {"power": "5"}}, [], "power"),
        ({"raters": [{"name": "Sam", "answers": {"slack": 0}}]}, [], "Sam"),
        ([1, 2], [], "answers.json"),
        ({"answers": {}}, ["--typology", "nope"], "nope"),
    ],
)
def test_bad_input_is_one_clear_line_and_no_traceback(
    tmp_path: Path, content: object, args: list[str], expected: str
) -> None:
    result = run(str(write(tmp_path, content)), *args)
    assert result.returncode != 0
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]


def test_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"nowhere\.json: no such file"):
        call_command("classify", str(tmp_path / "nowhere.json"))


def test_not_utf8_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"answers": {"power": 5}, "note": "café"}'.encode("utf-16"))
    with pytest.raises(CommandError, match=r"latin1\.json"):
        call_command("classify", str(path))
