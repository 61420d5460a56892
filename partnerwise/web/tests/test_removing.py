"""Removing what was recorded by mistake, and changing a private organisation."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from partnerwise.appraisals.models import Decision
from partnerwise.assessments.models import Assessment
from partnerwise.conftest import Cast, rate
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Participation, Partnership, Role
from partnerwise.workspaces.models import ChangeRecord


def remove_url(kind: str, pk: int, slug: str = "hope") -> str:
    return reverse("record_remove", args=[slug, kind, pk])


def admin_client(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.admin)
    return client


def test_an_admin_deletes_a_partnership_after_confirming(cast: Cast) -> None:
    client = admin_client(cast)
    detail = client.get(reverse("partnership_detail", args=["hope", cast.partnership.pk]))
    url = remove_url("partnership", cast.partnership.pk)
    assert url in detail.content.decode()
    page = client.get(url).content.decode()
    assert "Delete the partnership “Restart sub-contract”?" in page
    assert "Its 2 places of organisations" in page
    assert Partnership.objects.filter(pk=cast.partnership.pk).exists()  # asking deletes nothing
    response = client.post(url)
    assert response["Location"] == reverse("partnership_list", args=["hope"])
    assert not Partnership.objects.filter(pk=cast.partnership.pk).exists()
    log = ChangeRecord.objects.get(action="deleted")
    assert (log.summary, log.user, log.workspace) == (
        "Restart sub-contract",
        cast.admin,
        cast.workspace,
    )


def test_ratings_and_decisions_can_be_deleted(cast: Cast) -> None:
    assessment = rate(cast.workspace, cast.partnership, cast.prime, cast.editor, {"power": 5})
    decision = Decision.objects.create(
        workspace=cast.workspace,
        partnership=cast.partnership,
        outcome="go",
        reasons="Fine",
        recommendation="go",
        approved_by="Board",
        decided_by=cast.admin,
    )
    client = admin_client(cast)
    profile = client.get(reverse("profile", args=["hope", cast.partnership.pk, cast.prime.pk]))
    assert remove_url("rating", assessment.pk) in profile.content.decode()
    assert client.post(remove_url("rating", assessment.pk)).status_code == 302
    assert not Assessment.objects.filter(pk=assessment.pk).exists()
    appraisal = client.get(reverse("appraisals:appraisal", args=["hope", cast.partnership.pk]))
    assert remove_url("decision", decision.pk) in appraisal.content.decode()
    assert client.post(remove_url("decision", decision.pk)).status_code == 302
    assert not Decision.objects.filter(pk=decision.pk).exists()
    assert ChangeRecord.objects.filter(action="deleted").count() == 2


def test_a_private_organisation_is_changed_and_deleted_but_not_while_used(cast: Cast) -> None:
    ours = Organisation.objects.create(workspace=cast.workspace, name="Helpful Ltd")
    client = admin_client(cast)
    edit = reverse("organisation_edit", args=["hope", ours.pk])
    page = client.get(reverse("organisation_detail", args=["hope", ours.pk])).content.decode()
    assert edit in page and remove_url("organisation", ours.pk) in page
    response = client.post(
        edit, {"name": "Helpful Limited", "kind": "company", "website": "", "description": ""}
    )
    assert response.status_code == 302
    ours.refresh_from_db()
    assert (ours.name, ours.kind) == ("Helpful Limited", "company")
    assert ChangeRecord.objects.filter(action="edited", object_id=ours.pk).exists()
    used = Participation.objects.create(
        workspace=cast.workspace, partnership=cast.partnership, organisation=ours, role=Role.MEMBER
    )
    refused = client.post(remove_url("organisation", ours.pk))
    assert refused.status_code == 409
    assert "It is still used" in refused.content.decode()
    assert Organisation.objects.filter(pk=ours.pk).exists()
    assert not ChangeRecord.objects.filter(action="deleted").exists()
    used.delete()
    assert client.post(remove_url("organisation", ours.pk)).status_code == 302
    assert not Organisation.objects.filter(pk=ours.pk).exists()


def test_reference_data_is_never_edited_or_deleted(cast: Cast) -> None:
    client = admin_client(cast)
    assert client.get(remove_url("organisation", cast.prime.pk)).status_code == 404
    assert client.post(remove_url("organisation", cast.prime.pk)).status_code == 404
    assert client.get(reverse("organisation_edit", args=["hope", cast.prime.pk])).status_code == 404
    assert Organisation.objects.filter(pk=cast.prime.pk).exists()


def test_only_admins_of_the_workspace_remove(cast: Cast) -> None:
    url = remove_url("partnership", cast.partnership.pk)
    editor = Client()
    editor.force_login(cast.editor)
    assert editor.post(url).status_code == 403
    outsider = Client()
    outsider.force_login(cast.outsider)
    assert outsider.post(url).status_code == 404
    assert (
        outsider.post(remove_url("partnership", cast.partnership.pk, "elsewhere")).status_code
        == 404
    )
    assert admin_client(cast).get(remove_url("nonsense", 1)).status_code == 404
    assert Partnership.objects.filter(pk=cast.partnership.pk).exists()
