"""The review form: keep a submission (with a reason) or delete it (with a confirmation).

The page shows two forms, one per decision, each posting this form with its ``decision`` (a
hidden field; a missing or unknown decision is an error of the whole form); the reason is
required to keep, the confirmation to delete.
"""

from __future__ import annotations

from typing import Any

from django import forms

from safecity_web.intelligence.models import ReviewDecisionKind
from safecity_web.intelligence.review import MAX_REASON_CHARACTERS


class ReviewForm(forms.Form):
    """A receiver's decision at review."""

    decision = forms.CharField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why should it be kept?",
        required=False,
        max_length=MAX_REASON_CHARACTERS,
        strip=True,
        error_messages={
            "max_length": f"The reason must be at most {MAX_REASON_CHARACTERS:,} characters"
        },
    )
    confirm = forms.BooleanField(
        label="I understand that deleting removes everything it says, for good",
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        """Keeping needs a reason; deleting needs the confirmation."""
        data = super().clean() or {}
        decision = data.get("decision")
        if decision not in ReviewDecisionKind.values:
            raise forms.ValidationError(
                "Choose whether to keep or delete the submission", code="decision"
            )
        if decision == ReviewDecisionKind.RETAIN and not data.get("reason"):
            self.add_error("reason", "Say why the submission should be kept")
        if decision == ReviewDecisionKind.DELETE and not data.get("confirm"):
            self.add_error("confirm", "Confirm that the submission's content is to be deleted")
        return data
