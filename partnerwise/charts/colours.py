"""The site's colours for charts, as hex values: SVG presentation attributes cannot read CSS
variables, and a chart must keep its colours when printed or put in a PDF without the page's
stylesheet. `tests/test_colours.py` checks each named colour against partnerwise.css, and
that every mark colour stands out from white by at least 3:1 (WCAG 1.4.11)."""

from __future__ import annotations

# The same values as the custom properties at the top of web/static/web/partnerwise.css.
SITE = {
    "text": "#0b0c0c",
    "secondary": "#505a5f",
    "border": "#b1b4b6",
    "light": "#f3f2f1",
    "brand": "#1d4f5c",
    "link": "#1d70b8",
    "visited": "#4c2c92",
    "error": "#d4351c",
    "success": "#00703c",
}

TEXT = SITE["text"]
SECONDARY = SITE["secondary"]
GRID = SITE["border"]
BACKGROUND = SITE["light"]
MARK = SITE["brand"]
WARNING = SITE["error"]
US = SITE["brand"]
THEM = SITE["link"]

# One colour per archetype of the default typology, from the GOV.UK palette the site follows;
# colour is never the only cue (each series also has its own marker shape and a text label).
ARCHETYPES = {
    "transactional": SITE["link"],
    "megalomaniac": SITE["error"],
    "big_beast": SITE["visited"],
    "good_guy": SITE["success"],
    "wide_eyed": "#b58840",  # GOV.UK brown: the site's orange is too pale for a mark (2.8:1)
}
# For archetypes a workspace adds: taken in turn by the archetype's place in its typology.
EXTRA = ["#912b88", "#28a197", SITE["brand"], SITE["secondary"], "#6f72af", "#d53880"]
SHAPES = ["circle", "square", "triangle", "diamond", "cross"]


def archetype_colours(keys: list[str]) -> dict[str, str]:
    """A colour for each archetype id, the shipped ones fixed and the others taken in turn."""
    extra = [key for key in keys if key not in ARCHETYPES]
    return {
        key: ARCHETYPES[key] if key in ARCHETYPES else EXTRA[extra.index(key) % len(EXTRA)]
        for key in keys
    }
