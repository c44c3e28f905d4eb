"""Forms of the commentary pages in the partner portal."""

from __future__ import annotations

from typing import Any

from django import forms

from safecity_web.commentary.models import Decision, Target


class DecisionForm(forms.Form):
    """Accept, edit or reject a drafted recommendation."""

    decision = forms.ChoiceField(
        label="Decision",
        choices=Decision.choices,
        error_messages={"required": "Choose accept, edit or reject"},
    )
    text = forms.CharField(
        label="Recommendation as edited (when you edit it)",
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reason = forms.CharField(
        label="Reason (needed when you reject it)",
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        """An edit needs its wording and a rejection its reason."""
        data: dict[str, Any] = super().clean() or {}
        if data.get("decision") == Decision.EDITED and not str(data.get("text", "")).strip():
            self.add_error("text", "Enter the recommendation as edited")
        if data.get("decision") == Decision.REJECTED and not str(data.get("reason", "")).strip():
            self.add_error("reason", "Enter why the recommendation is rejected")
        return data


class CommentaryForm(forms.Form):
    """Commentary on a section or indicator, or a context note on an area."""

    target = forms.ChoiceField(label="About", choices=Target.choices)
    key = forms.CharField(
        label="Section id, indicator id or GSS code",
        max_length=100,
        error_messages={"required": "Enter what the commentary is about"},
    )
    text = forms.CharField(
        label="Commentary (Markdown)",
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter the commentary"},
    )
