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
        if result.raters_disagree:
            return f"Mixed: colleagues disagree between {names} ({confidence})."
        return f"Mixed: close between {names} ({confidence})."
    if result.grounds == "flagged":
        return "Not enough evidence: the answers were set aside (see the flags)."
    return f"Not enough evidence yet ({result.answered} answered of {len(typology.indicators)})."


def _section(title: str, lines: tuple[str, ...] | list[str]) -> list[str]:
    return ["", title, *(f"  - {line}" for line in lines)] if lines else []


def render_profile(typology: Typology, result: Profile) -> str:
    """Verdict and why (for, against, unknown), fits, disagreements and what to ask next."""
    raters = result.rater_count
    lines = [
        f"{typology.name} (v{typology.version})",
        _verdict_line(typology, result),
        result.summary,
        f"{result.answered} of {len(typology.indicators)} statements answered,"
        f" by {raters} rater{'' if raters == 1 else 's'}"
        + (f" ({', '.join(result.set_aside)} set aside)." if result.set_aside else "."),
    ]
    if result.verdict != "insufficient":
        lines.append(f"Confidence {result.confidence_meaning}")
    lines += _section("Flagged answers (not used):", [f"{f.message}." for f in result.flags])
    lines += _section("Points to it:", result.points_to)
    lines += _section("Points against it:", result.points_against)
    lines += _section("Unknown (not answered):", result.unknown[:6])
    lines += ["", "Fit with each archetype:"]
    width = max(len(archetype.name) for archetype in typology.archetypes)
    for archetype_id, fit in result.ranked():
        filled = round(fit * BAR_WIDTH)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        name = typology.archetype(archetype_id).name
        lines.append(f"  {name:<{width}}  {bar}  {round(fit * 100):3d}%")
    lines.append(
        "  (Each reason says whether the expectation quotes the founding document"
        " or is our inference.)"
    )
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
