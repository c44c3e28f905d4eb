"""Forms of the alerts pages: follow a crime group and/or area; how alerts are emailed."""

from __future__ import annotations

from typing import Any

from django import forms

from safecity_web.accounts.forms import GovukFormMixin
from safecity_web.alerts.models import Frequency
from safecity_web.alerts.services import followable_areas, followable_groups


class FollowForm(GovukFormMixin, forms.Form):
    """Follow a crime group, an area, or a crime group in an area."""

    group_id = forms.ChoiceField(
        label="Crime group",
        required=False,
        choices=(),
        help_text="Leave as 'Any crime group' to follow every group in the area.",
        error_messages={"invalid_choice": "Choose a crime group from the list"},
    )
    area_code = forms.ChoiceField(
        label="Area",
        required=False,
        choices=(),
        help_text="The partnership's area or one of its wards. Leave as 'Any area' to follow "
        "the crime group everywhere.",
        error_messages={"invalid_choice": "Choose an area from the list"},
    )
    frequency = forms.ChoiceField(
        label="How often to email these alerts",
        choices=Frequency.choices,
        initial=Frequency.IMMEDIATE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how often to email these alerts"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group_id"].choices = [  # type: ignore[attr-defined]
            ("", "Any crime group"),
            *((group.code, group.name) for group in followable_groups()),
        ]
        self.fields["area_code"].choices = [  # type: ignore[attr-defined]
            ("", "Any area"),
            *(
                (area.code, f"{area.name} ({'ward' if area.level == 'ward' else 'partnership'})")
                for area in followable_areas()
            ),
        ]

    def clean(self) -> dict[str, Any]:
        """A subscription must follow a crime group, an area, or both."""
        cleaned: dict[str, Any] = super().clean() or {}
        if not self.errors and not cleaned.get("group_id") and not cleaned.get("area_code"):
            self.add_error("group_id", "Choose a crime group, an area, or both")
        return cleaned


class ByRoleFrequencyForm(GovukFormMixin, forms.Form):
    """How the alerts that come with the user's role are emailed."""

    by_role_frequency = forms.ChoiceField(
        label="How often to email the alerts that come with your role",
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how often to email the alerts of your role"},
    )
