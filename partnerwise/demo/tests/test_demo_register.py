"""The demo agrees with the data it ships: `make run` imports the register sample and the real
other names and other regulators tables, the demo's sample partner shows its register facts,
every demo charity shows what the shipped register says of it (and says where its income is
missing from rather than "Not known"), and the search page's own example finds something."""

from __future__ import annotations

import io
import re
import tomllib
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
DATA = Path(settings.DATA_DIR)
SAMPLE = DATA / "ccew-register-extract-anonymised-sample"
REAL = DATA / "ccew-register-extract-2024-09-10"
needs_sample = pytest.mark.skipif(
    not (SAMPLE.is_dir() and REAL.is_dir()), reason="no open-data samples beside the checkout"
)
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def _make_variable(name: str) -> list[str]:
    match = re.search(rf"^{name} = ((?:.*\\\n)*.*)$", MAKEFILE, re.MULTILINE)
    assert match, name
    return match.group(1).replace("\\\n", " ").split()


def _register_files() -> list[Path]:
    """The register tables `make run` imports (read from the Makefile, so this test and the
    demo cannot drift apart)."""
    return [SAMPLE / f"publicextract.{t}.zip" for t in _make_variable("REGISTER_SAMPLE")] + [
        REAL / f"publicextract.{t}.zip" for t in _make_variable("REGISTER_REAL")
    ]


def test_make_run_imports_the_register_sample_and_the_real_tables() -> None:
    recipe = MAKEFILE.split("\nrun:", 1)[1].split("\n\n")[0]
    assert "import ccew $(REGISTER_SAMPLE:%=$(DATA)/ccew-register-extract-anonymised-sample/" in (
        recipe
    )
    assert "$(REGISTER_REAL:%=$(DATA)/ccew-register-extract-2024-09-10/" in recipe
    assert "charity" in _make_variable("REGISTER_SAMPLE")
    assert _make_variable("REGISTER_REAL") == ["charity_other_names", "charity_other_regulators"]


def _demo_client() -> Client:
    result = load_demo()
    files = [str(path) for path in _register_files()]
    call_command("import", "ccew", *files, stdout=io.StringIO(), stderr=io.StringIO())
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


def _register_part(page: str) -> str:
    return page.split("<h3>Charity Commission register</h3>", 1)[1].split("</dl>", 1)[0]


# What the real 2024-09-10 other names and other regulators tables say of each demo charity
# that the anonymised sample's charity table does not list.
REAL_FACTS = {
    "GB-CHC-1082947": ["CRISIS (working name)"],
    "GB-CHC-226171": [
        "NACRO (working name)",
        "THE NATIONAL ASSOCIATION FOR THE CARE AND RESETTLEMENT OF OFFENDERS (previous name)",
        "Homes England, Ofsted (Office For Standards In Education)",
    ],
    "GB-CHC-801355": ["Financial Conduct Authority"],
    "GB-CHC-1073880": ["MIND IN CROYDON (working name)"],
    "GB-CHC-1084451": ["C.N.C.A. (working name)", "CROYDON NEIGHBOURHOOD CARE (working name)"],
    "GB-CHC-1107264": ["CITIZENS UK (working name)", "CITIZEN ORGANISING FOUNDATION"],
    "GB-CHC-1086067": ["TURNING POINT (working name)"],
}


@needs_sample
@pytest.mark.django_db
def test_every_demo_charity_shows_the_shipped_register_facts_with_source_and_date() -> None:
    client = _demo_client()
    spec = tomllib.loads((ROOT / "partnerwise/demo/data/demo.toml").read_text(encoding="utf-8"))
    charities = [o.get("id", "") for o in spec["organisations"]]
    charities = [org_id for org_id in charities if org_id.startswith("GB-CHC-")]
    assert set(REAL_FACTS) | {"GB-CHC-232098"} == set(charities)
    for org_id in charities:
        org = Identifier.objects.get(workspace=None, value=org_id).organisation
        page = client.get(reverse("organisation_detail", args=["demo", org.pk])).content.decode()
        register = _register_part(page)
        assert f"<dd>{org_id.removeprefix('GB-CHC-')}</dd>" in register, org_id
        summary = page.split("Latest income", 1)[1].split("Voluntary or community sector", 1)[0]
        assert "Not known" not in summary, org_id
        if org_id == "GB-CHC-232098":
            assert "charity table of 7 September 2023" in register
            continue
        for fact in REAL_FACTS[org_id]:
            assert fact in register, (org_id, fact)
        # Its income and status are not in the shipped charity table: the page says so, and
        # where the facts it does show come from.
        assert "Not in the register extract imported here" in summary, org_id
        assert "its charity table, of 7 September 2023, does not list this charity" in register
        assert "£" not in register, org_id
        source = register.split("<dt>Source</dt>", 1)[1]
        assert "of 10 September 2024" in source, org_id
        assert "charity table" not in source, org_id
