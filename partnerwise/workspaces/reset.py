"""Password reset: rate-limited, and never saying whether an account exists.

Django's reset view already shows the same "check your email" page for any address. This
adds the throttle (per address asked about and per client address, counted the same whether
or not the account exists, so a refusal reveals nothing either), and takes the time apart
too: the page does the same work for any address (one query for the accounts it names),
then hands making the link and sending the mail to the outbox (`hosting.outbox`) and
answers without waiting for a mail server, so an existing account's reset is not the slow
one. The mail goes with retries and quietly fails: saying so would reveal the account.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import EmailMultiAlternatives
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader

from partnerwise.hosting import outbox
from partnerwise.hosting.mail import deliver
from partnerwise.workspaces import throttle
from partnerwise.workspaces.models import User


class QuietPasswordResetForm(PasswordResetForm):
    found: list[User] | None = None

    def get_users(self, email: str) -> Iterator[User]:
        if self.found is None:
            self.found = list(super().get_users(email))
        return iter(self.found)

    def save(self, **options: Any) -> None:  # type: ignore[override]
        # The one query runs now, for every address; the rest runs after the response.
        self.get_users(self.cleaned_data["email"])
        outbox.later(lambda: PasswordResetForm.save(self, **options))

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        deliver(EmailMultiAlternatives(subject, body, from_email, [to_email]))


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QuietPasswordResetForm

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"]
        if not throttle.allow(throttle.PASSWORD_RESET, self.request, email):
            return render(self.request, "registration/reset_throttled.html", status=429)
        return super().form_valid(form)
