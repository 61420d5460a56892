"""The first-run checklist on an empty portfolio, each step ticked from the data."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from partnerwise.appraisals.models import Principle, PrincipleKind
from partnerwise.conftest import Cast, make_user
from partnerwise.organisations.creating import create_workspace
from partnerwise.workspaces.models import Membership, Role


def test_a_new_workspace_sees_a_checklist_that_ticks_as_it_goes(cast: Cast, client: Client) -> None:
    founder = make_user("founder@new.org")
    workspace = create_workspace(name="New Start", admin=founder)
    client.force_login(founder)
    url = reverse("workspace_home", args=[workspace.slug])
    page = client.get(url).content.decode()
    assert "Getting started" in page
    assert page.count("To do:") == 4
    assert reverse("workspace_settings", args=[workspace.slug]) in page
    assert reverse("appraisals:principles", args=[workspace.slug]) in page
    assert reverse("members", args=[workspace.slug]) in page
    assert reverse("partnership_new", args=[workspace.slug]) in page
    assert reverse("partnership_import", args=[workspace.slug]) in page

    from partnerwise.organisations.models import set_our_organisation

    set_our_organisation(workspace, cast.us)
    for kind in (PrincipleKind.VALUE, PrincipleKind.COMMITMENT):
        Principle.objects.create(workspace=workspace, kind=kind, name=f"A {kind}")
    Membership.objects.create(workspace=workspace, user=cast.viewer, role=Role.VIEWER)
    page = client.get(url).content.decode()
    assert page.count("Done:") == 3 and page.count("To do:") == 1
    assert "We are Hope Housing." in page

    viewer = Client()
    viewer.force_login(cast.viewer)
    seen = viewer.get(url).content.decode()
    assert reverse("partnership_new", args=[workspace.slug]) not in seen
    assert "An admin or editor of the workspace can do this." in seen


def test_a_portfolio_with_partnerships_has_no_checklist(cast: Cast, client: Client) -> None:
    client.force_login(cast.admin)
    assert (
        "Getting started"
        not in client.get(reverse("workspace_home", args=["hope"])).content.decode()
    )
