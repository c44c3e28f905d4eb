"""The form administrators designate receivers with."""

from __future__ import annotations

from typing import Any

from django import forms

from safecity_web.accounts.models import User
from safecity_web.intelligence.designations import receiver_labels


class DesignationForm(forms.Form):
    """A staff account (by username) and the receiver it is designated as."""

    username = forms.CharField(
        label="Username", max_length=150, error_messages={"required": "Enter the username"}
    )
    receiver = forms.ChoiceField(
        label="Designate as", error_messages={"required": "Choose the receiver"}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receiver"].choices = list(receiver_labels().items())

    def clean_username(self) -> User:
        """The account with this username."""
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise forms.ValidationError(f"There is no account with the username {username}")
        return user
