from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partnerwise.workspaces.models import Workspace


def home(request: HttpRequest) -> HttpResponse:
    demo = Workspace.objects.filter(is_demo=True).first()
    return render(request, "web/home.html", {"workspace": demo})
