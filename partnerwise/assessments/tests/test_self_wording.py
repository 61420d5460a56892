"""Rating ourselves reads in our own words ("We hold more power …") where the typology has them."""

from __future__ import annotations

from dataclasses import dataclass

from partnerwise import typology as engine
from partnerwise.assessments.forms import AssessmentForm
from partnerwise.assessments.models import Indicator
from partnerwise.assessments.typologies import default_typology, statement_for, typology_data
from partnerwise.conftest import Cast


@dataclass(frozen=True)
class WithSelfForm(engine.Indicator):
    """An indicator as typology data v2 gives it: with a self form."""

    self_text: str = ""

    @property
    def self_statement(self) -> str:
        return self.self_text or self.statement


POWER = WithSelfForm(
    id="power",
    statement="They hold more power and influence in this partnership than the other partners do.",
    self_text="We hold more power and influence in this partnership than the other partners do.",
)
PLAIN = engine.Indicator(id="decisive", statement="They reach decisions promptly.")


def test_the_self_form_is_used_about_us_and_only_about_us() -> None:
    assert statement_for(POWER, about_us=True).startswith("We hold more power")
    assert statement_for(POWER, about_us=False).startswith("They hold more power")
    # Without a self form nothing is made up: the partner form stays.
    assert statement_for(PLAIN, about_us=True) == "They reach decisions promptly."


def test_the_rating_form_about_us_asks_in_our_words() -> None:
    ours = AssessmentForm(indicators=[POWER, PLAIN], about_us=True)
    theirs = AssessmentForm(indicators=[POWER, PLAIN])
    assert ours.fields["rating_power"].label == POWER.self_text
    assert theirs.fields["rating_power"].label == POWER.statement
    assert ours.fields["rating_decisive"].label == PLAIN.statement


def test_internal_hints_never_reach_the_form() -> None:
    hinted = engine.Indicator(
        id="size_gap",
        statement="They are much bigger than us.",
        help="Can be filled from register incomes.",
    )
    form = AssessmentForm(indicators=[hinted])
    assert not form.fields["rating_size_gap"].help_text
    assert "Can be filled" not in form.as_div()


def test_the_stored_self_form_reaches_the_engine_data(cast: Cast) -> None:
    typology = default_typology()
    Indicator.objects.filter(typology=typology, key="power").update(
        self_text="We hold more power.", self_short="We hold more power"
    )
    data = typology_data(typology, cast.workspace)
    power = next(item for item in data["indicators"] if item["id"] == "power")
    assert power["self_text"] == "We hold more power."
    assert power["self_short"] == "We hold more power"
    # The engine reads the data whether or not it knows the self form yet.
    engine.typology_from_dict(data, source="test")
