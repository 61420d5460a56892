"""A stored profile in the profile page's plain words: its verdict, fits, reasons, where
raters disagree and what would settle it, read from the row kept when the ratings changed
(`assessments/stored.py`), so that the page computes nothing however many ratings there are.
"""

from __future__ import annotations

from typing import Any

from partnerwise import typology as engine
from partnerwise.assessments.forms import SCALE
from partnerwise.assessments.models import StoredProfile
from partnerwise.assessments.summaries import Verdicted
from partnerwise.assessments.typologies import statement_for
from partnerwise.typology.explain import verdict_words as own_verdict_words

NEXT_QUESTIONS_SHOWN = 3
SCALE_LABELS = dict(SCALE)


def verdict_words(profile: Verdicted, names: dict[str, str]) -> str:
    if profile.verdict == "match" and profile.best:
        return f"Most like: {names.get(profile.best, profile.best)}"
    if profile.verdict == "mixed":
        return "Mixed: " + " or ".join(names.get(k, k) for k in profile.leading)
    return "Not enough evidence yet"


def describe(
    profile: StoredProfile, model: engine.Typology, *, about_us: bool = False
) -> dict[str, Any]:
    """What the templates need from a stored profile, in plain words (of ourselves: "We …").

    The engine's own summary (`data`, its `Profile.to_dict()`) gives the words; the fits are
    the stored ones (to three places, as the API gives them)."""
    data = profile.data
    names = {a.id: a.name for a in model.archetypes}
    labels = {a.id: a.label for a in model.archetypes}
    statements = {i.id: statement_for(i, about_us=about_us) for i in model.indicators}
    insufficient = profile.verdict == "insufficient"
    fits = [
        {
            "id": key,
            "name": names.get(key, key),
            "fit": fit,
            "percent": round(fit * 100),
            "best": key == profile.best or key in profile.leading,
        }
        for key, fit in sorted(profile.fits.items(), key=lambda item: (-item[1], item[0]))
    ]
    # PostgreSQL keeps a JSON object's keys in its own order: raters are put back in the
    # engine's order (the profile's list of raters).
    order = {name: index for index, name in enumerate(profile.raters)}
    return {
        "profile": profile,
        "verdict": verdict_words(profile, names),
        "summary": profile.summary,
        "confidence": None if insufficient else round(profile.confidence * 100),
        "confidence_meaning": profile.confidence_meaning,
        "answered": profile.answered,
        "statements": len(model.indicators),
        "rater_count": profile.rater_count,
        "points_to": profile.points_to,
        "points_against": profile.points_against,
        "unknown": profile.unknown,
        "flags": [str(flag["message"]) for flag in data.get("flags", [])],
        "rater_verdicts": sorted(
            (name, own_verdict_words(own["verdict"], own["best"], own["leading"], labels))
            for name, own in data.get("rater_profiles", {}).items()
        ),
        "fits": fits,
        "reasons": profile.reasons,
        "disagreements": [
            {
                "statement": statements.get(item["indicator"], item["indicator"]),
                # "Alex: agree; Sam: strongly disagree", in one piece: a dozen statements
                # with every rater's answer were hundreds of template lookups.
                "answers": "; ".join(
                    f"{name}: {SCALE_LABELS[str(value)].lower()}"
                    for name, value in sorted(
                        item["answers"].items(), key=lambda pair: order.get(pair[0], len(order))
                    )
                ),
            }
            for item in data.get("disagreements", [])
        ],
        "next_questions": [
            statements.get(key, key)
            for key in data.get("next_questions", [])[:NEXT_QUESTIONS_SHOWN]
        ],
        "raters": list(profile.raters),
    }
