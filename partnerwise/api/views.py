"""The API tokens page: a signed-in person makes, sees and revokes their own tokens."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partnerwise.api.models import ApiToken
from partnerwise.workspaces.models import User

LIFETIMES = [(30, "30 days"), (90, "90 days"), (365, "a year")]


class TokenForm(forms.Form):
    name = forms.CharField(label="What is it for?", max_length=100)
    days = forms.TypedChoiceField(
        label="Expires after", choices=LIFETIMES, coerce=int, initial=90, widget=forms.RadioSelect
    )


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _, new_token = ApiToken.issue(
            user=_user(request),
            name=form.cleaned_data["name"],
            lifetime=timedelta(days=form.cleaned_data["days"]),
        )
        form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": ApiToken.objects.filter(user=_user(request)),
        },
    )


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.filter(user=_user(request)), pk=pk)
    ApiToken.objects.filter(pk=token.pk).revoke()
    messages.success(request, f"The token “{token.name}” ({token.prefix}…) no longer works.")
    return redirect("api_tokens")
