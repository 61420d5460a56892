"""Stored profiles always equal a fresh computation from the ratings, after every kind of
change, and pages read them."""

import importlib
from datetime import date
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partnerwise.assessments.custom import add_archetype, add_typology
from partnerwise.assessments.models import ProfilePoint, RaterKind, StoredProfile, Typology
from partnerwise.assessments.profiles import profile_for, profile_history
from partnerwise.assessments.rating import change_rating, delete_rating, record_rating
from partnerwise.assessments.stored import answers_by_rater, stored_equals_fresh
from partnerwise.conftest import PASSWORD, Cast, rate
from partnerwise.partnerships.models import Participation, Partnership, Role

GATEKEEPER = {
    "id": "gatekeeper",
    "name": "Gatekeeper",
    "summary": "Controls access to clients or money, and charges for it.",
    "prototype": {"power": 5, "exchange": 5, "user_focus": 1, "values_shared": 1},
}
TRIAD = {
    "id": "triad",
    "name": "Trust triad",
    "version": 1,
    "indicators": [
        {"id": "keeps_promises", "statement": "They do what they say they will."},
        {"id": "open_books", "statement": "They share their figures."},
        {"id": "credit", "statement": "They share the credit."},
    ],
    "archetypes": [
        {
            "id": "trusted",
            "name": "Trusted",
            "prototype": {"keeps_promises": 5, "open_books": 5, "credit": 5},
        },
        {
            "id": "wary",
            "name": "Wary",
            "prototype": {"keeps_promises": 2, "open_books": 1, "credit": 2},
        },
    ],
}


def stored(cast: Cast, kind: RaterKind = RaterKind.COLLEAGUE) -> StoredProfile:
    return StoredProfile.objects.get(
        partnership=cast.partnership,
        subject=cast.prime if kind == RaterKind.COLLEAGUE else cast.us,
        typology__key="default",
        rater_kind=kind,
    )


def agrees(cast: Cast) -> None:
    """Stored equals fresh: by the module's own check and by the engine directly, the
    columns copied out for pages (the fits, each rater's answers) included."""
    assert stored_equals_fresh(cast.workspace) == []
    fresh = profile_for(cast.workspace, cast.partnership, cast.prime)
    assert stored(cast).data == fresh.to_dict()
    assert stored(cast).verdict == fresh.verdict
    assert stored(cast).fits == fresh.to_dict()["fits"]
    assert stored(cast).rater_answers == answers_by_rater(fresh)
    points = ProfilePoint.objects.filter(
        partnership=cast.partnership,
        subject=cast.prime,
        typology__key="default",
        rater_kind=RaterKind.COLLEAGUE,
    )
    history = profile_history(cast.workspace, cast.partnership, cast.prime)
    assert [p.data for p in points] == [h.profile.to_dict() for h in history]
    assert [p.fits for p in points] == [h.profile.to_dict()["fits"] for h in history]


def test_stored_profile_equals_fresh_after_every_kind_of_change(cast: Cast) -> None:
    first = rate(
        cast.workspace, cast.partnership, cast.prime, cast.editor, {"power": 5, "exchange": 4}
    )
    agrees(cast)
    # Another colleague, and the same colleague again later (their newest counts).
    rate(cast.workspace, cast.partnership, cast.prime, cast.admin, {"power": 1, "slack": 2})
    rate(
        cast.workspace,
        cast.partnership,
        cast.prime,
        cast.editor,
        {"power": 4, "exchange": 5, "user_focus": 1},
        on=date(2026, 11, 1),
    )
    agrees(cast)
    # An edited rating, back-dated so it changes the history's order.
    change_rating(
        workspace=cast.workspace,
        assessment=first,
        seen_version=first.version,
        answers={"power": (2, ""), "values_shared": (5, "")},
        rater_name="editor",
        assessed_on=date(2026, 11, 15),
        notes="",
        user=cast.editor,
    )
    agrees(cast)
    # A partner's rating of us is stored apart from colleagues' ratings of the prime.
    rate(
        cast.workspace,
        cast.partnership,
        cast.us,
        None,
        {"power": 2, "long_term": 5},
        rater_name="Prime's manager",
        rater_kind=RaterKind.PARTNER,
    )
    agrees(cast)
    theirs = profile_for(cast.workspace, cast.partnership, cast.us, rater_kind=RaterKind.PARTNER)
    assert stored(cast, RaterKind.PARTNER).data == theirs.to_dict()
    # A new archetype changes every fit on the typology.
    default = Typology.objects.get(workspace=None, key="default")
    before = stored(cast).data
    add_archetype(workspace=cast.workspace, typology=default, data=GATEKEEPER, source="test")
    agrees(cast)
    assert "gatekeeper" in stored(cast).data["fits"]
    assert "gatekeeper" not in before["fits"]
    # A typology of the workspace's own, and ratings on it.
    triad = add_typology(workspace=cast.workspace, data=TRIAD, source="test")
    record_rating(
        workspace=cast.workspace,
        partnership=cast.partnership,
        subject=cast.prime,
        answers={"keeps_promises": (5, ""), "open_books": (4, "")},
        rater=cast.editor,
        rater_name="editor",
        assessed_on=date(2026, 10, 2),
        typology=triad,
    )
    agrees(cast)
    assert StoredProfile.objects.filter(typology=triad).count() == 1
    # A deleted rating.
    delete_rating(workspace=cast.workspace, assessment=first, user=cast.editor)
    agrees(cast)


def test_deleting_the_only_rating_removes_the_stored_profile(cast: Cast) -> None:
    only = rate(cast.workspace, cast.partnership, cast.prime, cast.editor, {"power": 5})
    assert StoredProfile.objects.filter(workspace=cast.workspace).count() == 1
    delete_rating(workspace=cast.workspace, assessment=only, user=cast.editor)
    assert not StoredProfile.objects.filter(workspace=cast.workspace).exists()
    assert not ProfilePoint.objects.filter(workspace=cast.workspace).exists()


def test_deleting_a_partnership_takes_its_profiles(cast: Cast) -> None:
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, {"power": 5})
    cast.partnership.delete()
    assert not StoredProfile.objects.exists()


def test_rebuild_command_repairs_and_check_reports(
    cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, {"power": 5, "exchange": 4})
    StoredProfile.objects.update(verdict="mixed")
    with pytest.raises(CommandError, match="1 stored profile"):
        call_command("rebuild_profiles", "--check", "--workspace", "hope")
    assert "stored profile is out of date" in capsys.readouterr().out
    call_command("rebuild_profiles", "--workspace", "hope", verbosity=0)
    assert stored_equals_fresh(cast.workspace) == []
    call_command("rebuild_profiles", "--check")
    assert "Every stored profile matches" in capsys.readouterr().out


def test_check_and_rebuild_cover_the_fits_and_each_raters_answers(
    cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, {"power": 5, "exchange": 4})
    rate(cast.workspace, cast.partnership, cast.prime, cast.admin, {"power": 2, "slack": 5})
    spoilt: list[tuple[type[StoredProfile] | type[ProfilePoint], dict[str, Any]]] = [
        (StoredProfile, {"rater_answers": [["someone", {"power": 1.0}]]}),
        (ProfilePoint, {"fits": {"good_guy": 1.0}}),
    ]
    for model, wrong in spoilt:
        model.objects.update(**wrong)
        with pytest.raises(CommandError, match="1 stored profile"):
            call_command("rebuild_profiles", "--check", "--workspace", "hope")
        capsys.readouterr()
        call_command("rebuild_profiles", "--workspace", "hope", verbosity=0)
        agrees(cast)


def test_migrate_fills_what_profiles_stored_before_it_lack(cast: Cast) -> None:
    """Profiles stored before the fits and each rater's answers were kept beside them get
    them on the next `migrate`: the migration copies the fits, then the profiles without
    raters' answers are recomputed."""
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, {"power": 5, "exchange": 4})
    rate(cast.workspace, cast.partnership, cast.prime, cast.admin, {"power": 2, "slack": 5})
    StoredProfile.objects.update(fits={}, rater_answers=None)
    ProfilePoint.objects.update(fits={})
    migration = importlib.import_module(
        "partnerwise.assessments.migrations.0009_profile_fits_and_indexes"
    )
    migration.copy_fits(django_apps, None)
    assert [p.fits for p in ProfilePoint.objects.all()] == [
        p.data["fits"] for p in ProfilePoint.objects.all()
    ]
    assert stored(cast).fits == stored(cast).data["fits"]
    assert stored(cast).rater_answers is None
    call_command("migrate", verbosity=0)
    agrees(cast)


def test_rebuild_command_names_a_missing_workspace(cast: Cast) -> None:
    with pytest.raises(CommandError, match="no workspace 'nowhere'"):
        call_command("rebuild_profiles", "--workspace", "nowhere")


def test_portfolio_and_organisation_page_show_the_stored_verdict(cast: Cast) -> None:
    rate(
        cast.workspace,
        cast.partnership,
        cast.prime,
        cast.editor,
        {"power": 5, "exchange": 5, "user_focus": 1, "values_shared": 1},
    )
    # What pages show comes from the stored rows: mark them to see them used (the portfolio
    # reads the current profile, the organisation page the last point of its history).
    StoredProfile.objects.update(verdict="match", best="marker")
    ProfilePoint.objects.update(verdict="match", best="marker")
    client = Client()
    client.login(username=cast.viewer.username, password=PASSWORD)
    names_shown = client.get("/w/hope/").content.decode()
    assert "marker" in names_shown
    page = client.get(f"/w/hope/organisations/{cast.prime.pk}/").content.decode()
    assert "marker" in page


def test_outsider_sees_no_stored_profile(cast: Cast) -> None:
    other = Partnership.objects.create(workspace=cast.other_workspace, name="Theirs")
    Participation.objects.create(
        workspace=cast.other_workspace, partnership=other, organisation=cast.prime, role=Role.PRIME
    )
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, {"power": 5})
    client = Client()
    client.login(username=cast.outsider.username, password=PASSWORD)
    response = client.get(f"/api/w/elsewhere/partnerships/{other.pk}/profiles/{cast.prime.pk}")
    assert response.status_code == 200
    assert response.json()["raters"] == []
    assert (
        client.get(
            f"/api/w/hope/partnerships/{cast.partnership.pk}/profiles/{cast.prime.pk}"
        ).status_code
        == 404
    )


def test_a_groups_answers_are_read_without_joining_the_assessments(cast: Cast) -> None:
    """Answers are ordered by their assessment's id, not its date: sorting by date joined
    every prefetch of a few assessments' answers to the whole assessments table (a hash join
    on PostgreSQL without statistics)."""
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, {"power": 5, "exchange": 4})
    with CaptureQueriesContext(connection) as queries:
        profile_for(cast.workspace, cast.partnership, cast.prime)
    answers = [
        q["sql"] for q in queries.captured_queries if 'FROM "assessments_answer"' in q["sql"]
    ]
    assert len(answers) == 1 and "JOIN" not in answers[0]
