"""A workspace editor says "our private record is this register organisation" (issue 13):
our records move to it and the private record goes, in one transaction, in history."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from partnerwise.assessments.rating import record_rating
from partnerwise.conftest import Cast
from partnerwise.organisations.linking import LinkError, link_to_register
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Participation
from partnerwise.workspaces.history import history_for


@pytest.fixture
def private(cast: Cast) -> Organisation:
    org = Organisation.objects.create(workspace=cast.workspace, name="Nacro (our record)")
    Participation.objects.create(
        workspace=cast.workspace, partnership=cast.partnership, organisation=org, role="member"
    )
    record_rating(
        workspace=cast.workspace, partnership=cast.partnership, subject=org,
        answers={"power": (4, "")}, rater=cast.editor, rater_name="Ed",
        assessed_on=date(2026, 1, 5),
    )  # fmt: skip
    return org


@pytest.fixture
def register(db: None) -> Organisation:
    org = Organisation.objects.create(name="Nacro")
    org.add_identifier("GB-CHC-226171", primary=True)
    return org


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _url(cast: Cast, org: Organisation) -> str:
    return reverse("organisation_link", args=[cast.workspace.slug, org.pk])


def test_an_editor_links_our_record_and_our_records_move(
    cast: Cast, private: Organisation, register: Organisation
) -> None:
    client = _client(cast.editor)
    detail = reverse("organisation_detail", args=[cast.workspace.slug, private.pk])
    assert _url(cast, private) in client.get(detail).content.decode()
    response = client.post(_url(cast, private), {"identifier": "226171"}, follow=True)
    assert response.redirect_chain[-1][0].endswith(f"/organisations/{register.pk}/")
    assert "Nacro (our record) is now Nacro: 2 of your records moved" in response.content.decode()
    assert not Organisation.objects.filter(pk=private.pk).exists()
    assert cast.workspace.participations.filter(organisation=register).count() == 1
    assert cast.workspace.assessments.get().subject == register
    (change,) = history_for(cast.workspace, register).filter(action="linked")
    assert "Our private record Nacro (our record) is this register organisation" in change.summary
    assert change.user == cast.editor


def test_bad_identifiers_are_named_and_change_nothing(
    cast: Cast, private: Organisation, register: Organisation
) -> None:
    client = _client(cast.editor)
    for value, message in [
        ("", "Enter the register organisation&#x27;s identifier"),
        ("GB-CHC-999999", "No register organisation has the identifier GB-CHC-999999"),
        ("nonsense", "nonsense"),
    ]:
        response = client.post(_url(cast, private), {"identifier": value})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert Organisation.objects.filter(pk=private.pk).exists()
    assert cast.workspace.participations.filter(organisation=private).count() == 1


def test_a_clash_rolls_everything_back(
    cast: Cast, private: Organisation, register: Organisation
) -> None:
    Participation.objects.create(
        workspace=cast.workspace, partnership=cast.partnership, organisation=register,
        role="member",
    )  # fmt: skip
    with pytest.raises(LinkError, match="both appear in the same"):
        link_to_register(workspace=cast.workspace, private=private, register=register, user=None)
    assert Organisation.objects.filter(pk=private.pk).exists()
    assert cast.workspace.assessments.get().subject == private
    response = _client(cast.editor).post(_url(cast, private), {"identifier": "GB-CHC-226171"})
    assert response.status_code == 400


def test_outsiders_get_404_viewers_403_and_register_records_404(
    cast: Cast, private: Organisation, register: Organisation
) -> None:
    data = {"identifier": "GB-CHC-226171"}
    assert _client(cast.outsider).post(_url(cast, private), data).status_code == 404
    assert _client(cast.outsider).get(_url(cast, private)).status_code == 404
    assert _client(cast.viewer).post(_url(cast, private), data).status_code == 403
    assert _client(cast.editor).post(_url(cast, register), data).status_code == 404
    assert Organisation.objects.filter(pk=private.pk).exists()
    other = Organisation.objects.create(workspace=cast.other_workspace, name="Theirs")
    with pytest.raises(LinkError):
        link_to_register(workspace=cast.workspace, private=other, register=register, user=None)
