"""The "needs attention" settings and each member's reminder preference.

The re-rating period is a workspace setting (admins, on the settings page through a partial
that posts here); whether to get reminders by email is each member's own choice."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from partnerwise.appraisals.attention import attention_setting
from partnerwise.appraisals.models import AttentionSetting, ReminderPreference
from partnerwise.workspaces.access import refuse_unless_post, workspace_access
from partnerwise.workspaces.history import record_change
from partnerwise.workspaces.models import Role
from partnerwise.workspaces.versioning import StaleVersion, save_if_current, seen_version


class AttentionSettingForm(forms.ModelForm[AttentionSetting]):
    class Meta:
        model = AttentionSetting
        fields = ["rerate_after_months"]


class ReminderPreferenceForm(forms.ModelForm[ReminderPreference]):
    class Meta:
        model = ReminderPreference
        fields = ["email_reminders"]
        help_texts = {
            "email_reminders": "Renewals and notice deadlines in the next 90 days, and partners "
            "due to be rated again. Each reminder is sent once."
        }


@login_required
def attention_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """Save the re-rating period (the form is a partial on the workspace settings page)."""
    access = workspace_access(request, slug, Role.ADMIN)
    if refused := refuse_unless_post(request):
        return refused
    workspace = access.workspace
    setting = attention_setting(workspace)
    form = AttentionSettingForm(request.POST, instance=AttentionSetting(workspace=workspace))
    status = 400
    if form.is_valid():
        months = form.cleaned_data["rerate_after_months"]
        try:
            with transaction.atomic():
                row, _ = AttentionSetting.objects.get_or_create(
                    workspace=workspace, defaults={"version": 0}
                )
                save_if_current(
                    workspace.attentionsettings,
                    pk=row.pk,
                    seen=seen_version(request.POST.get("version")),
                    values={"rerate_after_months": months},
                )
                record_change(
                    workspace=workspace,
                    user=request.user,
                    obj=workspace,
                    action="changed the settings",
                    changes={"re-rate after (months)": (setting.rerate_after_months, months)},
                )
        except (StaleVersion, IntegrityError):
            form.add_error(None, "Someone else changed this setting meanwhile; nothing was saved.")
            status = 409
            setting = attention_setting(workspace)
        else:
            messages.success(request, f"Partners will be re-rated after {months} months.")
            return redirect("workspace_settings", slug)
    return render(
        request,
        "appraisals/attention_settings.html",
        {"attention_form": form, "attention_setting": setting, **access.context()},
        status=status,
    )


@login_required
def reminder_preferences(request: HttpRequest, slug: str) -> HttpResponse:
    """Whether this member gets reminders by email from this workspace."""
    access = workspace_access(request, slug)
    workspace = access.workspace
    current = workspace.reminderpreferences.filter(user=access.user).first()
    instance = current or ReminderPreference(workspace=workspace, user=access.user)
    form = ReminderPreferenceForm(
        request.POST if request.method == "POST" else None, instance=instance
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            ReminderPreference.objects.update_or_create(
                workspace=workspace,
                user=access.user,
                defaults={"email_reminders": form.cleaned_data["email_reminders"]},
            )
        on = form.cleaned_data["email_reminders"]
        messages.success(request, f"Email reminders turned {'on' if on else 'off'}.")
        return redirect("appraisals:reminder_preferences", slug)
    return render(
        request,
        "appraisals/reminder_preferences.html",
        {"form": form, "email": access.user.email, **access.context()},
    )
