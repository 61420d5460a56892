"""The foundation as an operator meets it: settings, the demo loader, access helpers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404, HttpRequest
from django.test import RequestFactory

from partnerwise.assessments.profiles import profile_for
from partnerwise.conftest import Cast
from partnerwise.organisations.models import Organisation
from partnerwise.workspaces.access import get_workspace_for_user
from partnerwise.workspaces.models import Role, User, Workspace

PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k" * 20 + "-production-secret-for-the-deploy-check-" + "z" * 20,
    "ALLOWED_HOSTS": "partnerwise.example.org",
}


def partnerwise(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "partnerwise", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    # The deploy check also wants the static files collected (see partnerwise/hosting/checks.py).
    env = {**PRODUCTION, "PARTNERWISE_VAR_DIR": str(tmp_path)}
    collected = partnerwise("collectstatic", "--noinput", env=env)
    assert collected.returncode == 0, collected.stderr
    result = partnerwise("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = partnerwise("check", env={**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_debug_is_off_in_production() -> None:
    result = partnerwise(
        "shell", "-c", "from django.conf import settings; print(settings.DEBUG)", env=PRODUCTION
    )
    assert result.stdout.strip().endswith("False"), result.stderr


@pytest.mark.django_db
def test_demo_loads_real_organisations_and_is_idempotent() -> None:
    call_command("load_demo")
    counts = (Organisation.objects.count(), Workspace.objects.get(slug="demo").partnerships.count())
    assessments = Workspace.objects.get(slug="demo").assessments.count()
    call_command("load_demo")
    demo = Workspace.objects.get(slug="demo")
    assert (Organisation.objects.count(), demo.partnerships.count()) == counts
    assert demo.assessments.count() == assessments
    assert demo.partnerships.count() >= 5
    assert len({p.form for p in demo.partnerships.all()}) >= 5
    crisis = Organisation.objects.get(identifiers__value="GB-CHC-1082947")
    assert demo.organisation == crisis
    assert crisis.is_reference


@pytest.mark.django_db
def test_demo_profiles_show_the_archetypes_it_illustrates() -> None:
    call_command("load_demo")
    demo = Workspace.objects.get(slug="demo")
    nacro = Organisation.objects.get(identifiers__value="GB-CHC-226171")
    supply_chain = demo.partnerships.get(form="supply_chain")
    result = profile_for(demo, supply_chain, nacro)
    assert result.best == "big_beast"
    assert len(result.raters) == 2


def _request(user: User) -> HttpRequest:
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_outsiders_get_404_and_low_roles_403(cast: Cast) -> None:
    with pytest.raises(Http404):
        get_workspace_for_user(_request(cast.outsider), "hope")
    with pytest.raises(PermissionDenied):
        get_workspace_for_user(_request(cast.viewer), "hope", Role.EDITOR)
    assert get_workspace_for_user(_request(cast.editor), "hope", Role.EDITOR) == cast.workspace
    with pytest.raises(PermissionDenied):
        get_workspace_for_user(_request(cast.editor), "hope", Role.ADMIN)


def test_reference_and_private_organisations_visibility(cast: Cast) -> None:
    private = Organisation.objects.create(workspace=cast.workspace, name="Our secret prime")
    assert private in Organisation.objects.visible_to(cast.workspace)
    assert private not in Organisation.objects.visible_to(cast.other_workspace)
    assert cast.prime in Organisation.objects.visible_to(cast.other_workspace)


def test_identifiers_are_normalised_on_the_way_in(cast: Cast) -> None:
    assert cast.prime.primary_identifier() == "GB-COH-03911478"
    again = cast.prime.add_identifier("gb-coh-3911478")
    assert cast.prime.identifiers.count() == 1
    assert again.value == "GB-COH-03911478"
