"""The demo agrees with the data it ships: `make run` imports the register sample, the demo's
sample partner shows its register facts, and the search page's own example finds something."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from partnerwise.demo.workspace import load_demo
from partnerwise.organisations.models import Identifier
from partnerwise.partnerships.models import Participation

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = Path(settings.DATA_DIR) / "ccew-register-extract-anonymised-sample"
needs_sample = pytest.mark.skipif(
    not SAMPLE.is_dir(), reason="no open-data samples beside the checkout"
)


def test_make_run_imports_the_register_sample() -> None:
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nrun:", 1)[1].split("\n\n")[0]
    assert "import ccew $(DATA)/ccew-register-extract-anonymised-sample" in recipe


def _demo_client() -> Client:
    result = load_demo()
    call_command("import", "ccew", str(SAMPLE), stdout=io.StringIO(), stderr=io.StringIO())
    client = Client()
    client.force_login(result.workspace.memberships.get(role="admin").user)
    return client


@needs_sample
@pytest.mark.django_db
def test_the_demo_sample_partner_shows_register_facts() -> None:
    client = _demo_client()
    org = Identifier.objects.get(workspace=None, value="GB-CHC-232098").organisation
    assert Participation.objects.filter(workspace__slug="demo", organisation=org).exists()
    page = client.get(reverse("organisation_detail", args=["demo", org.pk])).content.decode()
    facts = page.split("Latest income", 1)[1].split("Voluntary or community sector", 1)[0]
    assert "£4,428,515" in facts
    assert "Not known" not in facts
    assert "Their income fell 37% in two years" in page


@needs_sample
@pytest.mark.django_db
def test_every_example_on_the_search_page_finds_something_in_the_demo() -> None:
    client = _demo_client()
    page = client.get(reverse("organisation_list", args=["demo"])).content.decode()
    hint = re.search(r'id="q-hint">[^<]*For example, ([^<]*)\.</div>', page)
    assert hint is not None
    examples = re.split(r", | or ", hint.group(1))
    assert len(examples) == 3
    for example in examples:
        results = client.get(reverse("organisation_list", args=["demo"]), {"q": example})
        assert results.context["results"], example
