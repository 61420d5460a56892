"""Recording and editing partnerships, their participants, and refusing stale edits."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from partnerwise.conftest import Cast
from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.models import ChangeRecord

FORM = {
    "name": "Restart sub-contract",
    "form": "supply_chain",
    "status": "exploring",
    "start_date": "2026-04-01",
    "end_date": "2029-03-31",
    "renewal_date": "",
    "value": "1200000",
    "services": "Employment support",
    "area": "North East England",
    "description": "",
}


def edit(client: Client, cast: Cast, version: int, **changes: Any) -> Any:
    url = reverse("partnership_edit", args=["hope", cast.partnership.pk])
    return client.post(url, {**FORM, **changes, "version": str(version)})


def test_an_editor_records_a_partnership_and_it_is_logged(cast: Cast, client: Client) -> None:
    client.force_login(cast.editor)
    response = client.post(
        reverse("partnership_new", args=["hope"]), {**FORM, "name": "Youth consortium"}
    )
    created = cast.workspace.partnerships.get(name="Youth consortium")
    assert response["Location"] == reverse("partnership_detail", args=["hope", created.pk])
    assert created.created_by == cast.editor
    assert created.value == 1200000
    page = client.get(response["Location"]).content.decode()
    assert "History" in page and "created" in page


def test_bad_input_names_the_field(cast: Cast, client: Client) -> None:
    client.force_login(cast.editor)
    response = client.post(
        reverse("partnership_new", args=["hope"]),
        {**FORM, "start_date": "2027-01-01", "end_date": "2026-01-01", "value": "-5"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "End date: The end date (1 January 2026) must be on or after the start date" in page
    assert "The value cannot be negative" in page
    assert cast.workspace.partnerships.count() == 1


def test_edit_saves_bumps_the_version_and_records_old_and_new(cast: Cast, client: Client) -> None:
    client.force_login(cast.editor)
    response = edit(client, cast, 1, status="negotiating", value="900000")
    assert response.status_code == 302
    cast.partnership.refresh_from_db()
    assert (cast.partnership.status, cast.partnership.version) == ("negotiating", 2)
    record = ChangeRecord.objects.get(action="edited")
    changed = {row["field"]: (row["old"], row["new"]) for row in record.changes}
    assert changed["status"] == ("idea", "negotiating")
    assert changed["value"] == (None, "900000")
    assert record.user == cast.editor
    assert (
        "Status: Idea → Negotiating"
        in client.get(
            reverse("partnership_detail", args=["hope", cast.partnership.pk])
        ).content.decode()
    )


def test_the_second_of_two_concurrent_edits_is_refused_and_nothing_is_lost(
    cast: Cast, client: Client
) -> None:
    other = Client()
    other.force_login(cast.admin)
    client.force_login(cast.editor)
    # Both opened the form at version 1; the admin saves first.
    assert edit(other, cast, 1, name="Restart (admin's name)").status_code == 302
    response = edit(client, cast, 1, name="Restart (editor's name)", area="Tyneside")
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this partnership while you were editing" in page
    # Their typed values are still in the form, and both versions are shown side by side.
    assert 'value="Restart (editor&#x27;s name)"' in page
    assert "Restart (admin&#x27;s name)" in page
    assert 'name="version" value="2"' in page
    stored = Partnership.objects.get(pk=cast.partnership.pk)
    assert (stored.name, stored.area, stored.version) == (
        "Restart (admin's name)",
        "North East England",
        2,
    )
    # Having seen the other version, they can save theirs deliberately.
    assert edit(client, cast, 2, name="Restart (editor's name)").status_code == 302
    stored.refresh_from_db()
    assert (stored.name, stored.version) == ("Restart (editor's name)", 3)


def test_a_missing_or_bad_version_is_refused(cast: Cast, client: Client) -> None:
    client.force_login(cast.editor)
    url = reverse("partnership_edit", args=["hope", cast.partnership.pk])
    assert client.post(url, {**FORM, "version": "x"}).status_code == 409
    assert client.post(url, FORM).status_code == 409


def test_adding_a_participant_from_the_directory(cast: Cast, client: Client) -> None:
    from partnerwise.organisations.models import Organisation

    council = Organisation.objects.create(name="Newcastle City Council", kind="local_authority")
    council.add_identifier("GB-LAE-NET")
    client.force_login(cast.editor)
    url = reverse("participant_new", args=["hope", cast.partnership.pk])
    found = client.get(url, {"q": "GB-LAE-NET"}).content.decode()
    assert "Newcastle City Council" in found
    response = client.post(
        url, {"organisation": str(council.pk), "role": "commissioner", "share": "100"}
    )
    assert response.status_code == 302
    assert cast.partnership.participations.filter(
        organisation=council, role="commissioner"
    ).exists()
    again = client.post(url, {"organisation": str(council.pk), "role": "commissioner"})
    assert "already has this role" in again.content.decode()
    bad = client.post(url, {"organisation": str(council.pk), "role": "host", "share": "150"})
    assert "Enter a share from 0 to 100" in bad.content.decode()
    assert not cast.partnership.participations.filter(role="host").exists()


def test_the_list_filters_by_status(cast: Cast, client: Client) -> None:
    Partnership.objects.create(
        workspace=cast.workspace, name="Active coalition", form="influencing", status="active"
    )
    client.force_login(cast.viewer)
    url = reverse("partnership_list", args=["hope"])
    everything = client.get(url).content.decode()
    assert "Active coalition" in everything and "Restart sub-contract" in everything
    active = client.get(url, {"status": "active"}).content.decode()
    assert "Active coalition" in active and "Restart sub-contract" not in active
    portfolio = client.get(reverse("workspace_home", args=["hope"])).content.decode()
    assert f'href="{url}?status=active"' in portfolio


def test_the_list_shows_each_partnerships_partners_but_not_us(cast: Cast, client: Client) -> None:
    Partnership.objects.create(workspace=cast.workspace, name="Empty idea", form="other")
    client.force_login(cast.viewer)
    page = client.get(reverse("partnership_list", args=["hope"])).content.decode()
    restart = page[page.index("Restart sub-contract") :]
    restart = restart[: restart.index("</tr>")]
    assert 'Big Prime Ltd <span class="small">(Prime or lead)</span>' in restart
    assert "Hope Housing" not in restart
    empty = page[page.index("Empty idea") :]
    assert empty[: empty.index("</tr>")].rstrip().endswith("\u2013</td>")


def test_history_reads_in_words_not_raw_values(cast: Cast, client: Client) -> None:
    client.force_login(cast.editor)
    assert edit(client, cast, 1).status_code == 302
    page = client.get(reverse("partnership_detail", args=["hope", cast.partnership.pk]))
    text = page.content.decode()
    history = text[text.index('id="history-title"') :]
    assert "Start date: (empty) → 1 April 2026" in history
    assert "Value: (empty) → £1,200,000" in history
    assert "Form: Prime and sub-contract supply chain" not in history  # unchanged
    assert "Status: Idea → Exploring" in history
    assert "2026-04-01" not in history and "exploring" not in history
