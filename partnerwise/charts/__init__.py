"""Charts as server-rendered SVG: plain data in, markup safe to put in a page out.

No queries and no Django: views gather the numbers and pass them in; each function returns a
`Chart` (title, one-sentence summary, the SVG, and the same numbers as a table) that
`templates/charts/_chart.html` renders. Every piece of text is escaped as the SVG is built.
See docs/dependencies.md for why these are hand-written rather than drawn by a library.
"""

from partnerwise.charts.bars import CONCENTRATION_WARNING, count_bars, fit_bars, income_bars
from partnerwise.charts.ratings import answer_dots, self_vs_partners
from partnerwise.charts.svg import Chart, Svg, Table
from partnerwise.charts.timelines import Deadline, DriftPoint, drift_lines, timeline

__all__ = [
    "CONCENTRATION_WARNING",
    "Chart",
    "Deadline",
    "DriftPoint",
    "Svg",
    "Table",
    "answer_dots",
    "count_bars",
    "drift_lines",
    "fit_bars",
    "income_bars",
    "self_vs_partners",
    "timeline",
]
