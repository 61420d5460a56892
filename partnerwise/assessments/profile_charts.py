"""The profile page's charts (each colleague's answers, the drift of the fits, how partners
see us beside how we see ourselves), drawn once per change of the profiles they show and
kept in Django's cache.

They are drawn only from stored rows (the current profiles, with each rater's answers, and
the profile after each rating), and every change to those rows makes new ones: a rating
added, changed or deleted recomputes its group's rows (new ids, a new `updated`), a
typology's new archetype or wording gives it a new `revision`. The key is made of those,
whether the page is about us, and a hash of the drawing code, so a view after any change
draws afresh and every other view reads the finished charts: drawing them was most of what
a profile page with a dozen ratings cost beyond an empty one (issue 15).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from django.core.cache import cache as kept

from partnerwise import charts
from partnerwise import typology as engine
from partnerwise.assessments.models import ProfilePoint, StoredProfile, Typology
from partnerwise.charts.adapters import answer_rows, drift_of_stored, gaps_of

# How long a profile's charts stay in the cache: long enough for the views of one sitting.
# Short, as there is an entry for each profile looked at, and the database cache, when it
# holds more than its 300 entries, removes the expired ones first, before any others (such
# as the sign-in throttle's counts, which share it).
CHARTS_KEPT = 10 * 60


@cache
def _drawing_code() -> str:
    """Changes with the code that draws the charts, so an upgrade never shows old ones."""
    folder = Path(charts.__file__).parent
    sources = [*sorted(folder.glob("*.py")), Path(__file__)]
    return hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()[:16]


def _version(row: StoredProfile | None) -> object:
    return None if row is None else (row.pk, row.updated.isoformat())


def profile_charts(
    *,
    typology: Typology,
    model: engine.Typology,
    is_us: bool,
    ours: StoredProfile | None,
    theirs: StoredProfile | None,
    points: list[ProfilePoint],
) -> dict[str, charts.Chart | None]:
    """{"answers_chart", "drift_chart", "gap_chart"}: each chart, or None where there is
    nothing to draw. `points` are the stored history of `ours`' group, oldest first."""
    parts = (typology.pk, typology.revision, is_us, _version(ours), _version(theirs))
    key = "profile-charts-" + hashlib.sha256(repr((*parts, _drawing_code())).encode()).hexdigest()
    found: dict[str, charts.Chart | None] | None = kept.get(key)
    if found is not None:
        return found
    names = {a.id: a.name for a in model.archetypes}
    statements = {i.id: (i.self_statement if is_us else i.statement) for i in model.indicators}
    drift = drift_of_stored(points)
    found = {
        "answers_chart": charts.answer_dots(
            answer_rows(ours.rater_answers or [], statements),
            title="How we each rate ourselves" if is_us else "What each colleague answered",
        )
        if ours is not None and ours.raters
        else None,
        "drift_chart": charts.drift_lines(drift, names) if len(drift) > 1 else None,
        "gap_chart": charts.self_vs_partners(gaps_of(ours, theirs, statements))
        if is_us and theirs is not None and theirs.raters
        else None,
    }
    kept.set(key, found, CHARTS_KEPT)
    return found
