"""A workspace adds its own archetypes and typologies; nobody else sees them."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from partnerwise.assessments.models import Typology
from partnerwise.assessments.profiles import profile_for
from partnerwise.assessments.typologies import engine_typology
from partnerwise.conftest import Cast, rate

GATEKEEPER = """
id = "gatekeeper"
name = "Gatekeeper"
summary = "Controls access to clients or money, and charges for it."
prototype = { power = 5, exchange = 5, user_focus = 1, values_shared = 1 }
"""

TRIAD = """
id = "triad"
name = "Trust triad"
version = 1
[[indicators]]
id = "keeps_promises"
statement = "They do what they say they will."
[[indicators]]
id = "open_books"
statement = "They share their figures with partners."
[[indicators]]
id = "credit"
statement = "They share the credit."
[[archetypes]]
id = "trusted"
name = "Trusted"
prototype = { keeps_promises = 5, open_books = 5, credit = 5 }
[[archetypes]]
id = "wary"
name = "Wary"
prototype = { keeps_promises = 2, open_books = 1, credit = 2 }
"""


def write(tmp_path: Path, text: str, name: str = "file.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_added_archetype_is_private_and_used_in_profiles(cast: Cast, tmp_path: Path) -> None:
    call_command("add_typology", "hope", write(tmp_path, GATEKEEPER), "--archetype-for", "default")
    default = Typology.objects.get(workspace=None, key="default")
    assert "gatekeeper" in engine_typology(default, cast.workspace).archetype_ids
    assert "gatekeeper" not in engine_typology(default, cast.other_workspace).archetype_ids
    answers = {"power": 5, "exchange": 5, "user_focus": 1, "values_shared": 1}
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, answers)
    assert profile_for(cast.workspace, cast.partnership, cast.prime).best == "gatekeeper"


def test_whole_typology_added_for_one_workspace(cast: Cast, tmp_path: Path) -> None:
    call_command("add_typology", "hope", write(tmp_path, TRIAD))
    triad = Typology.objects.get(key="triad")
    assert triad.workspace == cast.workspace
    assert not Typology.objects.visible_to(cast.other_workspace).filter(key="triad").exists()
    model = engine_typology(triad, cast.workspace)
    assert model.indicator_ids == ("keeps_promises", "open_books", "credit")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GATEKEEPER.replace("exchange", "bartering"), "bartering"),
        (GATEKEEPER.replace("power = 5", "power = 7"), "power"),
        ("id = [", "not valid TOML"),
    ],
)
def test_bad_archetype_named_and_nothing_stored(
    cast: Cast, tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("add_typology", "hope", write(tmp_path, text), "--archetype-for", "default")
    default = Typology.objects.get(workspace=None, key="default")
    assert not default.archetypes.filter(workspace=cast.workspace).exists()


def test_duplicate_and_shipped_ids_are_refused(cast: Cast, tmp_path: Path) -> None:
    call_command("add_typology", "hope", write(tmp_path, TRIAD))
    with pytest.raises(CommandError, match="already has a typology 'triad'"):
        call_command("add_typology", "hope", write(tmp_path, TRIAD))
    with pytest.raises(CommandError, match="shipped typology"):
        call_command("add_typology", "hope", write(tmp_path, TRIAD.replace("triad", "default")))
    with pytest.raises(CommandError, match="already has an archetype 'megalomaniac'"):
        call_command(
            "add_typology",
            "hope",
            write(tmp_path, GATEKEEPER.replace("gatekeeper", "megalomaniac")),
            "--archetype-for",
            "default",
        )
