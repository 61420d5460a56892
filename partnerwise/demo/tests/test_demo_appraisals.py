"""The demo's illustrative appraisals load on the real demo workspace, once."""

from __future__ import annotations

from pathlib import Path

import pytest

from partnerwise.appraisals.models import Appraisal, Decision, Rating
from partnerwise.appraisals.suggestions import suggestions
from partnerwise.conftest import Cast
from partnerwise.demo.appraisals import DemoAppraisalError, load_demo_appraisals
from partnerwise.demo.workspace import load_demo


@pytest.mark.django_db
def test_demo_appraisals_load_once() -> None:
    workspace = load_demo().workspace
    assert load_demo_appraisals(workspace) == 2
    assert load_demo_appraisals(workspace) == 0
    assert workspace.principles.count() == len(suggestions())
    assert Appraisal.objects.count() == 2
    assert Rating.objects.count() == 20
    decision = Decision.objects.get()
    assert decision.outcome == "go_with_conditions"
    assert decision.recommendation == "go_with_conditions"
    assert decision.decided_by is not None


def test_a_name_the_workspace_lacks_is_reported(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "demo.toml"
    path.write_text('[[appraisals]]\npartnership = "Nope"\nratings = []\n', encoding="utf-8")
    with pytest.raises(DemoAppraisalError, match=r"demo.toml: appraisals 1: no partnership"):
        load_demo_appraisals(cast.workspace, path=path)
