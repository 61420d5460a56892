"""The "About the sorts of partner" page and choosing a typology in settings."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from partnerwise.assessments.models import Typology
from partnerwise.assessments.typologies import default_typology
from partnerwise.conftest import Cast, rate
from partnerwise.workspaces.models import ChangeRecord


def test_the_page_describes_each_archetype_with_the_credit(cast: Cast, client: Client) -> None:
    client.force_login(cast.viewer)
    url = reverse("sorts_of_partner", args=["hope"])
    page = client.get(url).content.decode()
    for name in ["Transactional", "Megalomaniac", "Big beasts", "Good guys", "Worthy, willing"]:
        assert f'-title">{name}' in page
    assert "A prime with a big central-government contract" in page  # the summary
    assert "What you tend to see" in page
    assert "https://www.changing-lives.org.uk/blog/big-beasts-good-guys-megalomaniacs" in page
    assert "Becky Elton" in page and "Changing Lives" in page
    for record in [
        reverse("partnership_detail", args=["hope", cast.partnership.pk]),
        reverse("organisation_detail", args=["hope", cast.prime.pk]),
        reverse("profile", args=["hope", cast.partnership.pk, cast.prime.pk]),
        reverse("appraisals:appraisal", args=["hope", cast.partnership.pk]),
    ]:
        assert url in client.get(record).content.decode(), record
    outsider = Client()
    outsider.force_login(cast.outsider)
    assert outsider.get(url).status_code == 404


def test_an_admin_chooses_the_typology(cast: Cast, client: Client) -> None:
    himmelman = Typology.objects.get(workspace=None, key="himmelman")
    client.force_login(cast.admin)
    settings = client.get(reverse("workspace_settings", args=["hope"])).content.decode()
    assert f'value="{himmelman.pk}"' in settings
    response = client.post(reverse("workspace_typology", args=["hope"]), {"typology": himmelman.pk})
    assert response.status_code == 302
    cast.workspace.refresh_from_db()
    assert default_typology(cast.workspace) == himmelman
    assert ChangeRecord.objects.filter(action="changed the typology").exists()
    page = client.get(reverse("sorts_of_partner", args=["hope"])).content.decode()
    assert escape(himmelman.name) in page
    # New ratings use the chosen typology.
    fresh = type(cast.workspace).objects.get(pk=cast.workspace.pk)
    assessment = rate(fresh, cast.partnership, cast.prime, cast.editor, {"info_exchange": 4})
    assert assessment.typology == himmelman
    # Not another workspace's typology, and not for editors.
    theirs = Typology.objects.create(workspace=cast.other_workspace, key="theirs", name="Theirs")
    refused = client.post(reverse("workspace_typology", args=["hope"]), {"typology": theirs.pk})
    assert refused.status_code == 404
    editor = Client()
    editor.force_login(cast.editor)
    url = reverse("workspace_typology", args=["hope"])
    assert editor.post(url, {"typology": himmelman.pk}).status_code == 403
