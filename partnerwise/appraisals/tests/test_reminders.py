"""`partnerwise send_reminders`: who gets what, each reminder once, preferences respected, and a
mail server failure reported in a line, with nothing marked as sent."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partnerwise.appraisals.models import ReminderPreference, SentReminder
from partnerwise.conftest import Cast
from partnerwise.partnerships.models import Status


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_reminders", "--site", "https://pw.example.org", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def due(cast: Cast) -> Cast:
    today = timezone.localdate()
    cast.partnership.status = Status.ACTIVE
    cast.partnership.renewal_date = today + timedelta(days=30)
    cast.partnership.notice_date = today + timedelta(days=2)
    cast.partnership.save()
    return cast


def test_editors_and_admins_get_each_reminder_once(due: Cast) -> None:
    assert run() == "Sent 4 reminders in 2 emails; 0 already sent before.\n"
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@hope.org", "editor@hope.org"]
    body = mail.outbox[0].body
    assert "Notice deadline: Last day to give notice on Restart sub-contract" in body
    assert "Renewal: Restart sub-contract renews on" in body
    assert f"https://pw.example.org/w/hope/partnerships/{due.partnership.pk}/" in body
    assert "https://pw.example.org/w/hope/reminders/" in body
    assert mail.outbox[0].subject == "Partnerwise: 2 reminders for Hope Housing"
    assert run() == "Sent 0 reminders in 0 emails; 4 already sent before.\n"
    assert len(mail.outbox) == 2
    # A new date is a new reminder.
    due.partnership.renewal_date = timezone.localdate() + timedelta(days=31)
    due.partnership.save()
    assert run() == "Sent 2 reminders in 2 emails; 2 already sent before.\n"
    assert "renews on" in mail.outbox[-1].body and "notice" not in mail.outbox[-1].subject


def test_a_member_who_turned_reminders_off_gets_none(due: Cast) -> None:
    client = Client()
    client.force_login(due.editor)
    page = reverse("appraisals:reminder_preferences", args=["hope"])
    assert (
        "Email reminders" in client.get(reverse("workspace_home", args=["hope"])).content.decode()
    )
    assert client.post(page, {}).status_code == 302  # an unticked box: off
    assert not ReminderPreference.objects.get(user=due.editor).email_reminders
    run()
    assert [m.to[0] for m in mail.outbox] == ["admin@hope.org"]
    client.post(page, {"email_reminders": "on"})
    run()
    assert [m.to[0] for m in mail.outbox] == ["admin@hope.org", "editor@hope.org"]
    outsider = Client()
    outsider.force_login(due.outsider)
    assert outsider.get(page).status_code == 404


def test_a_mail_server_failure_is_one_line_and_nothing_is_marked_sent(
    due: Cast, settings: Any
) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    err = StringIO()
    with pytest.raises(CommandError, match="2 email\\(s\\) could not be sent"):
        call_command("send_reminders", stdout=StringIO(), stderr=err)
    assert "hope: could not email admin@hope.org (" in err.getvalue()
    assert "will try again on the next run" in err.getvalue()
    assert not SentReminder.objects.exists()


def test_bad_arguments_name_the_problem(due: Cast) -> None:
    with pytest.raises(CommandError, match="No workspace with the slug 'nope'"):
        run("--workspace", "nope")
    with pytest.raises(CommandError, match=r"--site: 'pw\.example\.org' must start with http"):
        call_command("send_reminders", "--site", "pw.example.org")


def test_nothing_due_sends_nothing(cast: Cast) -> None:
    assert run() == "Sent 0 reminders in 0 emails; 0 already sent before.\n"
    assert mail.outbox == []
