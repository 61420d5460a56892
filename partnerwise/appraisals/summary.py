"""The one-page board summary of a partnership, as a PDF with the full board paper after it.

Page one answers what a trustee needs in a meeting: the decision asked, the recommendation
and why in three lines, each partner's archetype with its confidence, red lines and any
override, the top risks and terms to insist on, and how partners see us. It is always one
A4 page: the summary is laid out with room for the most items first and, if that runs over,
again with fewer items and shorter text, until it fits. The appendix is the board paper
page itself, printed with the site's print stylesheet.

WeasyPrint draws the PDF. It fetches nothing from the network: stylesheets come from the
static files on disk, and any other address is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import Truncator

from partnerwise.appraisals.appraising import Picture, appraise
from partnerwise.assessments.models import RaterKind
from partnerwise.assessments.summaries import archetype_names, latest_profiles, verdict_label
from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.history import history_for
from partnerwise.workspaces.models import Workspace

STYLES = Path(__file__).resolve().parent / "static" / "appraisals"
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class Limits:
    """How much of each list page one holds, and how long a line of text may run."""

    partners: int
    risks: int
    terms: int
    chars: int


# Tried in turn until the summary fits on one page.
LIMITS = (
    Limits(partners=6, risks=4, terms=4, chars=220),
    Limits(partners=5, risks=3, terms=3, chars=150),
    Limits(partners=4, risks=2, terms=2, chars=100),
    Limits(partners=3, risks=1, terms=1, chars=70),
)


def board_paper_context(
    *, workspace: Workspace, partnership: Partnership, picture: Picture | None = None
) -> dict[str, Any]:
    """What the board paper page shows: the same for the page and the PDF's appendix."""
    picture = picture or appraise(workspace=workspace, partnership=partnership)
    return {
        "workspace": workspace,
        "partnership": partnership,
        "picture": picture,
        "recommendation": picture.recommendation,
        "printed": timezone.localtime(),
        "history": history_for(workspace, picture.appraisal)[:30] if picture.appraisal else [],
    }


def summary_facts(*, workspace: Workspace, picture: Picture, limits: Limits) -> dict[str, Any]:
    """The summary's content, cut to `limits`."""
    partnership = picture.partnership
    recommendation = picture.recommendation

    def cut(text: str, chars: int = limits.chars) -> str:
        return Truncator(" ".join(text.split())).chars(chars)

    partners = [row for row in picture.rows if not row.is_us]
    our_roles = [row.participation.get_role_display().lower() for row in picture.self_rows]
    decision = picture.latest_decision

    def ranked(hits: tuple[Any, ...], limit: int) -> list[dict[str, str]]:
        ordered = sorted(hits, key=lambda hit: SEVERITY_ORDER.get(hit.entry.severity, 3))
        return [
            {"title": cut(hit.entry.title, 90), "severity": hit.entry.severity,
             "text": cut(hit.entry.text, limits.chars // 2)}
            for hit in ordered[:limit]
        ]  # fmt: skip

    us = workspace.organisation_id
    names = archetype_names(workspace)
    seen_by_partners = (
        latest_profiles(
            workspace,
            partnership_ids=[partnership.pk],
            subject_ids=[us],
            rater_kind=RaterKind.PARTNER,
        ).get((partnership.pk, us))
        if us
        else None
    )
    ourselves = picture.self_rows[0].profile if picture.self_rows else None
    return {
        "question": cut(
            f"Should we go into {partnership.name}, a "
            f"{partnership.get_form_display().lower()}"
            + (f", as {' and '.join(our_roles)}" if our_roles else "")
            + "?",
            200,
        ),
        "decision": decision,
        "decision_reasons": cut(decision.reasons) if decision else "",
        "override": cut(decision.override_reason) if decision else "",
        "recommendation": recommendation,
        "reasons": [cut(reason) for reason in recommendation.reasons[:3]],
        "more_reasons": max(0, len(recommendation.reasons) - 3),
        "red_lines": [cut(name, 80) for name in recommendation.red_line_conflicts],
        "partners": [
            {
                "name": cut(row.participation.organisation.name, 60),
                "role": row.participation.get_role_display(),
                "verdict": cut(row.verdict, 60),
                "confidence": _percent(row.profile.confidence)
                if row.profile and row.profile.raters
                else "",
                "raters": len(row.profile.raters) if row.profile else 0,
            }
            for row in partners[: limits.partners]
        ],
        "more_partners": max(0, len(partners) - limits.partners),
        "risks": ranked(recommendation.risks, limits.risks),
        "more_risks": max(0, len(recommendation.risks) - limits.risks),
        "terms": ranked(recommendation.terms, limits.terms),
        "more_terms": max(0, len(recommendation.terms) - limits.terms),
        "ourselves": _seen(ourselves, names),
        "by_partners": _seen(seen_by_partners, names),
    }


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _seen(profile: Any, names: dict[str, str]) -> dict[str, Any] | None:
    if profile is None or not profile.raters:
        return None
    return {
        "verdict": verdict_label(profile, names),
        "confidence": _percent(profile.confidence),
        "raters": len(profile.raters),
    }


def board_summary_pdf(
    *,
    request: HttpRequest,
    workspace: Workspace,
    partnership: Partnership,
    appendix: bool = True,
) -> bytes:
    """Page one: the summary; then, if `appendix`, the board paper as printed."""
    from weasyprint import CSS, HTML

    picture = appraise(workspace=workspace, partnership=partnership)
    context = board_paper_context(workspace=workspace, partnership=partnership, picture=picture)
    base_url = request.build_absolute_uri("/")
    fetch = _static_fetcher(base_url)
    pages = []
    if appendix:
        paper = render_to_string("appraisals/board_paper.html", context, request=request)
        appendix_doc = HTML(string=paper, base_url=base_url, url_fetcher=fetch).render(
            stylesheets=[CSS(filename=str(STYLES / "board_appendix.css"))]
        )
        pages = appendix_doc.pages
    summary_css = CSS(filename=str(STYLES / "board_summary.css"))
    for limits in LIMITS:
        html = render_to_string(
            "appraisals/board_summary.html",
            {
                **context,
                **summary_facts(workspace=workspace, picture=picture, limits=limits),
                "appendix_pages": len(pages),
                "today": date.today(),
            },
        )
        summary = HTML(string=html, base_url=base_url, url_fetcher=fetch).render(
            stylesheets=[summary_css]
        )
        if len(summary.pages) == 1:
            break
    # The shortest form is kept even in the unlikely case that it still runs over.
    document = summary.copy([*summary.pages[:1], *pages])
    return bytes(document.write_pdf())


def _static_fetcher(base_url: str) -> Any:
    """Serve our own static files from disk; refuse every other address, so a PDF never
    makes the server fetch anything (no requests to other hosts, no other local files)."""
    from weasyprint.urls import URLFetcher

    site = urlsplit(base_url).netloc
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"

    class StaticOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            ours = parts.scheme in ("http", "https") and parts.netloc == site
            ours = ours and ".." not in parts.path.split("/")
            if ours and parts.path.startswith(prefix):
                found = finders.find(parts.path[len(prefix) :])
                if isinstance(found, str):
                    return super().fetch(Path(found).as_uri(), headers)
            raise ValueError(f"Not fetched for a PDF: {url}")

    return StaticOnly(allowed_protocols={"file"})
