from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation

from partnerwise.workspaces.models import Membership, Role, User


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Their email address")
    role = forms.ChoiceField(
        label="What they may do",
        choices=Role.choices,
        initial=Role.VIEWER,
        widget=forms.RadioSelect,
    )


class MemberRoleForm(forms.ModelForm[Membership]):
    class Meta:
        model = Membership
        fields = ["role"]
        widgets = {"role": forms.RadioSelect}


class NewAccountForm(forms.Form):
    """The account an invited colleague creates; their username is their email address."""

    name = forms.CharField(label="Your name", max_length=150)
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        # Plain text: help texts are always escaped when shown.
        help_text=" ".join(password_validation.password_validators_help_texts()),
    )
    password2 = forms.CharField(
        label="Type the password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords are different")
        elif first:
            candidate = User(username=self.email, email=self.email, first_name=data.get("name", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        if User.objects.filter(username__iexact=self.email).exists():
            raise forms.ValidationError(
                "There is already an account for this email address: sign in to accept."
            )
        return data


class SignUpForm(forms.Form):
    """A new account; its username is its email address."""

    name = forms.CharField(label="Your name", max_length=150)
    email = forms.EmailField(
        label="Your email address",
        help_text="You sign in with it. We send a link to it to confirm it is yours.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Type the password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords are different")
        elif first:
            email = data.get("email", "")
            candidate = User(username=email, email=email, first_name=data.get("name", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class WorkspaceForm(forms.Form):
    name = forms.CharField(label="Name of the workspace", max_length=200)
