"""A plain-text rendering of a profile, for a person reading a terminal."""

from __future__ import annotations

from partnerwise.typology.engine import Profile, answer_label
from partnerwise.typology.model import Typology

BAR_WIDTH = 20


def _verdict_line(typology: Typology, result: Profile) -> str:
    confidence = f"confidence {round(result.confidence * 100)}%"
    if result.verdict == "match" and result.best is not None:
        return f"Best match: {typology.archetype(result.best).name} ({confidence})."
    if result.verdict == "mixed":
        names = " / ".join(typology.archetype(key).name for key in result.leading)
        return f"Mixed: close between {names} ({confidence})."
    return f"Not enough evidence yet ({result.answered} answered of {len(typology.indicators)})."


def render_profile(typology: Typology, result: Profile) -> str:
    """Verdict, fits as a bar chart, reasons, disagreements and the questions to ask next."""
    lines = [f"{typology.name} (v{typology.version})", _verdict_line(typology, result), ""]
    lines.append("Fit with each archetype:")
    width = max(len(archetype.name) for archetype in typology.archetypes)
    for archetype_id, fit in result.ranked():
        filled = round(fit * BAR_WIDTH)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        name = typology.archetype(archetype_id).name
        lines.append(f"  {name:<{width}}  {bar}  {round(fit * 100):3d}%")
    if result.reasons:
        lines += ["", "Why:"]
        lines += [f"  - {reason}" for reason in result.reasons]
    if result.disagreements:
        lines += ["", "Where raters disagree:"]
        for item in result.disagreements:
            answers = ", ".join(f"{name}: {answer_label(answer)}" for name, answer in item.answers)
            lines.append(f"  - {typology.indicator(item.indicator).phrase} ({answers})")
    if len(result.rater_profiles) > 1:
        lines += ["", "Each rater alone:"]
        for name, own in result.rater_profiles.items():
            lines.append(f"  - {name}: {_verdict_line(typology, own)}")
    if result.next_questions:
        lines += ["", "Questions that would settle it:"]
        for indicator_id in result.next_questions[:5]:
            lines.append(f"  - {typology.indicator(indicator_id).statement}")
    return "\n".join(lines) + "\n"
