""" "About the sorts of partner": the workspace's typology described in plain words."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partnerwise.assessments.typologies import default_typology
from partnerwise.workspaces.access import workspace_access

FOUNDING_POST = "https://www.changing-lives.org.uk/blog/big-beasts-good-guys-megalomaniacs-heady-world-partnerships/"
# A prototype rating at or above this reads "you tend to see"; at or below LOW, "you tend not to".
HIGH, LOW = 4, 2


@login_required
def sorts_of_partner(request: HttpRequest, slug: str) -> HttpResponse:
    access = workspace_access(request, slug)
    workspace = access.workspace
    typology = default_typology(workspace)
    statements = {i.key: i.short or i.statement for i in typology.indicators.all()}
    archetypes = typology.archetypes.filter(
        Q(workspace__isnull=True) | Q(workspace=workspace)
    ).order_by("position", "key")
    described = [
        {
            "archetype": archetype,
            "seen": [
                statements[k]
                for k, v in archetype.prototype.items()
                if k in statements and v >= HIGH
            ],
            "not_seen": [
                statements[k]
                for k, v in archetype.prototype.items()
                if k in statements and v <= LOW
            ],
        }
        for archetype in archetypes
    ]
    return render(
        request,
        "assessments/sorts_of_partner.html",
        {
            **access.context(),
            "typology": typology,
            "described": described,
            "founding_post": FOUNDING_POST,
        },
    )
