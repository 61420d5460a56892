"""Sending mail without turning a saved change into a 500.

Callers send after their transaction has committed (the invitation exists before anyone is
told about it), and learn whether the mail went, so the page can say so and show the link.
A mail server that is down for a moment gets a few tries with a growing pause.
"""

from __future__ import annotations

import logging
import smtplib
import time

from django.conf import settings
from django.core.mail import EmailMessage

log = logging.getLogger(__name__)


def deliver(message: EmailMessage) -> bool:
    """Send `message`, trying EMAIL_ATTEMPTS times; True if the mail server accepted it."""
    attempts = max(1, settings.EMAIL_ATTEMPTS)
    for attempt in range(1, attempts + 1):
        try:
            message.send()
            return True
        except (OSError, smtplib.SMTPException) as error:
            log.warning(
                "mail to %s failed (try %d of %d): %s", message.to, attempt, attempts, error
            )
            if attempt < attempts:
                time.sleep(settings.EMAIL_RETRY_PAUSE * 2 ** (attempt - 1))
    log.error("mail to %s was not sent after %d tries", message.to, attempts)
    return False


def send(*, subject: str, body: str, to: list[str]) -> bool:
    return deliver(EmailMessage(subject=subject, body=body, to=to))


def not_sent(address: str) -> str:
    return (
        f"The invitation is saved, but the email to {address} could not be sent. "
        "Copy the link below and send it to them yourself."
    )
