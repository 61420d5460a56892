"""Engine typologies are kept between requests, and a change to one is seen on the next."""

from pathlib import Path

from django.core.management import call_command

from partnerwise.assessments.models import Archetype, Typology
from partnerwise.assessments.typologies import engine_typology
from partnerwise.conftest import Api, Cast

GATEKEEPER = """
id = "gatekeeper"
name = "Gatekeeper"
summary = "Controls access to clients or money, and charges for it."
prototype = { power = 5, exchange = 5, user_focus = 1, values_shared = 1 }
"""


def archetype_names(api: Api, slug: str) -> dict[str, str]:
    status, body = api.call("GET", f"/w/{slug}/typologies")
    assert status == 200
    default = next(t for t in body if t["id"] == "default")
    return {a["id"]: a["name"] for a in default["archetypes"]}


def test_the_engine_typology_is_built_once_for_unchanged_rows(cast: Cast) -> None:
    first = engine_typology(Typology.objects.get(key="default"), cast.workspace)
    again = engine_typology(Typology.objects.get(key="default"), cast.workspace)
    assert again is first
    assert engine_typology(Typology.objects.get(key="default"), cast.other_workspace) is not first


def test_a_workspace_archetype_change_is_seen_on_the_next_request(
    cast: Cast, tmp_path: Path
) -> None:
    api, other = Api(cast.admin), Api(cast.outsider)
    slug, other_slug = cast.workspace.slug, cast.other_workspace.slug
    assert "gatekeeper" not in archetype_names(api, slug)  # built and kept
    path = tmp_path / "gatekeeper.toml"
    path.write_text(GATEKEEPER, encoding="utf-8")
    call_command("add_typology", slug, str(path), "--archetype-for", "default")
    assert archetype_names(api, slug)["gatekeeper"] == "Gatekeeper"
    assert "gatekeeper" not in archetype_names(other, other_slug)

    row = Archetype.objects.get(key="gatekeeper", workspace=cast.workspace)
    row.name = "Toll keeper"
    row.save()
    assert archetype_names(api, slug)["gatekeeper"] == "Toll keeper"

    row.delete()
    assert "gatekeeper" not in archetype_names(api, slug)


def test_a_change_to_a_shipped_archetype_is_seen_by_every_workspace(cast: Cast) -> None:
    api, other = Api(cast.admin), Api(cast.outsider)
    before = archetype_names(other, cast.other_workspace.slug)
    key = next(iter(before))
    row = Archetype.objects.get(key=key, workspace=None, typology__key="default")
    row.name = "Renamed"
    row.save()
    assert archetype_names(api, cast.workspace.slug)[key] == "Renamed"
    assert archetype_names(other, cast.other_workspace.slug)[key] == "Renamed"
