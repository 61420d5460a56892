"""Creating a workspace through the page, the command line and the API, and switching."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from partnerwise.conftest import Api, Cast, make_user
from partnerwise.organisations.creating import WorkspaceError, create_workspace
from partnerwise.organisations.models import Kind, Organisation
from partnerwise.workspaces.models import ChangeRecord, Membership, Role, Workspace


def test_the_domain_function_makes_the_creator_admin(cast: Cast) -> None:
    founder = make_user("founder@new.org")
    workspace = create_workspace(name="Hope Housing", admin=founder, organisation=cast.us)
    assert workspace.slug == "hope-housing"
    assert workspace.organisation == cast.us
    assert Membership.objects.get(workspace=workspace).role == Role.ADMIN
    again = create_workspace(name="Hope Housing", admin=founder, private_name="Hope Again")
    assert again.slug == "hope-housing-2"
    ours = again.organisation
    assert ours is not None and ours.workspace == again and ours.kind == Kind.CHARITY
    with pytest.raises(WorkspaceError, match="not in the shared directory"):
        secret = Organisation.objects.create(workspace=cast.other_workspace, name="Secret")
        create_workspace(name="Sneaky", admin=founder, organisation=secret)
    with pytest.raises(WorkspaceError) as bad:
        create_workspace(name="X", admin=founder, private_name="Y", private_identifiers=["nope"])
    assert bad.value.field == "private_identifiers"
    assert not Workspace.objects.filter(name__in=["Sneaky", "X"]).exists()


def test_a_user_creates_a_workspace_as_a_named_charity(cast: Cast, client: Client) -> None:
    founder = make_user("founder@new.org")
    client.force_login(founder)
    assert "Create a workspace" in client.get(reverse("home")).content.decode()
    url = reverse("workspace_new")
    found = client.get(url, {"q": "1082947"}).content.decode()
    assert f"?organisation={cast.us.pk}" in found
    chosen = client.get(url, {"organisation": cast.us.pk}).content.decode()
    assert "We are: <strong>Hope Housing</strong>" in chosen
    response = client.post(url, {"name": "Hope Housing", "organisation": str(cast.us.pk)})
    workspace = Workspace.objects.get(memberships__user=founder)
    assert response["Location"] == reverse("workspace_home", args=[workspace.slug])
    assert workspace.organisation == cast.us
    assert ChangeRecord.objects.filter(workspace=workspace, action="created the workspace")
    # Another workspace's private organisation cannot be claimed.
    secret = Organisation.objects.create(workspace=cast.other_workspace, name="Secret")
    assert client.post(url, {"name": "S", "organisation": str(secret.pk)}).status_code == 404
    assert f"?organisation={secret.pk}" not in client.get(url, {"q": "Secret"}).content.decode()


def test_a_workspace_for_an_organisation_not_in_the_registers(db: None, client: Client) -> None:
    founder = make_user("founder@new.org")
    client.force_login(founder)
    url = reverse("workspace_new")
    missing = client.post(url, {"name": "Tiny Group"}).content.decode()
    assert "Choose your organisation from the search results, or give its name here" in missing
    client.post(
        url, {"name": "Tiny Group", "private_name": "Tiny Group CIC", "private_kind": "cio"}
    )
    workspace = Workspace.objects.get()
    ours = workspace.organisation
    assert ours is not None and (ours.name, ours.kind) == ("Tiny Group CIC", "cio")


def test_members_of_several_workspaces_switch_between_them(cast: Cast, client: Client) -> None:
    create_workspace(name="Second Home", admin=cast.editor)
    client.force_login(cast.editor)
    listing = client.get(reverse("home")).content.decode()
    assert "Hope Housing" in listing and "Second Home" in listing
    page = client.get(reverse("workspace_home", args=["hope"])).content.decode()
    assert "Switch workspace" in page
    assert reverse("workspace_home", args=["second-home"]) in page
    assert "Elsewhere Trust" not in page


def test_the_command_creates_a_workspace(cast: Cast) -> None:
    out = StringIO()
    call_command(
        "create_workspace",
        "Hope CLI",
        "--admin",
        "Viewer@hope.org",
        "--organisation",
        "GB-CHC-1082947",
        stdout=out,
    )
    assert "Created workspace 'Hope CLI' at /w/hope-cli/" in out.getvalue()
    workspace = Workspace.objects.get(slug="hope-cli")
    assert workspace.organisation == cast.us
    assert workspace.memberships.get().user == cast.viewer


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["X", "--admin", "nobody@x.org"], "--admin: no account for nobody@x.org"),
        (["X", "--admin", "viewer@hope.org", "--organisation", "GB-CHC-9999999"], "not in the"),
        (["X", "--admin", "viewer@hope.org", "--organisation", "banana"], "--organisation: "),
        (["  ", "--admin", "viewer@hope.org"], "NAME: Give the workspace a name"),
    ],
)
def test_the_command_names_what_is_wrong(cast: Cast, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("create_workspace", *args)
    assert Workspace.objects.count() == 2


def test_the_api_creates_a_workspace(cast: Cast) -> None:
    api = Api(cast.outsider)
    status, body = api.call(
        "POST", "/workspaces", {"name": "Api Home", "organisation_identifier": "GB-CHC-1082947"}
    )
    assert status == 201, body
    assert body == {
        "slug": "api-home",
        "name": "Api Home",
        "role": "admin",
        "organisation": {"id": cast.us.pk, "name": "Hope Housing"},
    }
    assert api.call("GET", "/w/api-home/partnerships")[0] == 200
    status, body = api.call(
        "POST",
        "/workspaces",
        {"name": "P", "private_organisation": {"name": "Ours", "identifiers": ["x"]}},
    )
    assert status == 422
    assert body["detail"][0]["loc"] == ["body", "private_organisation", "identifiers"]
    status, body = api.call("POST", "/workspaces", {"name": "", "organisation_id": 999999})
    assert status == 422 and body["detail"][0]["loc"] == ["body", "organisation_id"]
    assert (
        Client()
        .post("/api/workspaces", {"name": "anon"}, content_type="application/json")
        .status_code
        == 401
    )
    assert not Workspace.objects.filter(name__in=["P", "", "anon"]).exists()
