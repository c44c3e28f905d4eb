"""Forms of the triage pages (queue filters, the actions on one report, subject access)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

from safecity_web import core_gateway
from safecity_web.reporting.models import CommunityReport, Moderation, ReportStatus
from safecity_web.reporting.submission import normalised_reference
from safecity_web.reporting.triage import (
    MAX_NOTE_CHARACTERS,
    MAX_POLICE_REFERENCE_CHARACTERS,
    MAX_PUBLIC_TEXT_CHARACTERS,
    REFERRED_TEXT,
    TriageError,
    check_public_text,
)

ANY = ("", "Any")


def _plain_words(value: str, *, field_name: str) -> str:
    try:
        return check_public_text(text=value, field_name=field_name)
    except TriageError as error:
        raise forms.ValidationError(error.message) from error


class QueueFilterForm(forms.Form):
    """Filters of the queue (all optional; an unknown value is a form error, not a crash)."""

    status = forms.ChoiceField(label="Status", required=False)
    kind = forms.ChoiceField(label="Kind of report", required=False)
    moderation = forms.ChoiceField(label="Moderation", required=False)
    mine = forms.BooleanField(label="Only reports assigned to me", required=False)

    def __init__(self, *args: Any, kinds: frozenset[str] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        config = core_gateway.community_reports_config()
        self.fields["status"].choices = [ANY, *ReportStatus.choices]
        self.fields["kind"].choices = [ANY] + [
            (kind.id, kind.label) for kind in config.kinds if kinds is None or kind.id in kinds
        ]
        self.fields["moderation"].choices = [ANY, *Moderation.choices]


class AssignForm(forms.Form):
    """Assign the report to a duty holder (or to nobody)."""

    prefix = "assign"

    assignee = forms.ChoiceField(label="Assign to", required=False)

    def __init__(self, *args: Any, holders: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.holders = {str(user.pk): user for user in holders}
        self.fields["assignee"].choices = [("", "Nobody")] + [
            (str(user.pk), user.get_full_name() or user.get_username()) for user in holders
        ]

    def clean_assignee(self) -> Any:
        """The chosen user, or ``None`` for nobody."""
        chosen = self.cleaned_data["assignee"]
        return self.holders.get(chosen) if chosen else None


class StatusForm(forms.Form):
    """Move the report on, with the words the reporter will see."""

    prefix = "status"

    status = forms.ChoiceField(
        label="New status",
        choices=[
            (ReportStatus.IN_REVIEW.value, ReportStatus.IN_REVIEW.label),
            (ReportStatus.RECEIVED.value, ReportStatus.RECEIVED.label),
        ],
        error_messages={"required": "Choose the new status"},
    )
    public_text = forms.CharField(
        label="What the person who reported will see",
        max_length=MAX_PUBLIC_TEXT_CHARACTERS,
        widget=forms.Textarea,
        error_messages={"required": "Enter what the person who reported will see"},
    )

    def clean_public_text(self) -> str:
        """Plain words with no contact details."""
        return _plain_words(self.cleaned_data["public_text"], field_name="public_text")


class NoteForm(forms.Form):
    """A staff note (encrypted; never shown to the reporter)."""

    prefix = "note"

    text = forms.CharField(
        label="Note",
        max_length=MAX_NOTE_CHARACTERS,
        widget=forms.Textarea,
        error_messages={"required": "Enter the note"},
    )


class ReferForm(forms.Form):
    """Record a referral to the police and its reference."""

    prefix = "refer"

    police_reference = forms.CharField(
        label="Police reference",
        max_length=MAX_POLICE_REFERENCE_CHARACTERS,
        error_messages={"required": "Enter the police reference"},
    )
    public_text = forms.CharField(
        label="What the person who reported will see",
        max_length=MAX_PUBLIC_TEXT_CHARACTERS,
        widget=forms.Textarea,
        required=False,
        initial=REFERRED_TEXT,
    )

    def clean_public_text(self) -> str:
        """Plain words with no contact details (the standard sentence when left empty)."""
        return _plain_words(
            self.cleaned_data["public_text"] or REFERRED_TEXT, field_name="public_text"
        )


class OutcomeForm(forms.Form):
    """Close the report with its outcome in plain words."""

    prefix = "outcome"

    outcome = forms.CharField(
        label="Outcome, in plain words for the person who reported",
        max_length=MAX_PUBLIC_TEXT_CHARACTERS,
        widget=forms.Textarea,
        error_messages={"required": "Enter the outcome"},
    )

    def clean_outcome(self) -> str:
        """Plain words with no contact details."""
        return _plain_words(self.cleaned_data["outcome"], field_name="outcome")


class ModerateForm(forms.Form):
    """Accept the report, mark it a duplicate of another, or reject it."""

    prefix = "moderate"

    moderation = forms.ChoiceField(
        label="Moderation",
        choices=[
            (Moderation.ACCEPTED.value, Moderation.ACCEPTED.label),
            (Moderation.DUPLICATE.value, Moderation.DUPLICATE.label),
            (Moderation.REJECTED.value, Moderation.REJECTED.label),
        ],
        error_messages={"required": "Choose accepted, duplicate or rejected"},
    )
    duplicate_of = forms.CharField(
        label="Reference of the report it repeats (for a duplicate)",
        max_length=20,
        required=False,
    )

    def __init__(self, *args: Any, report: CommunityReport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report

    def clean(self) -> dict[str, Any]:
        """Find the original of a duplicate by its reference."""
        cleaned = super().clean() or {}
        if cleaned.get("moderation") != Moderation.DUPLICATE.value:
            cleaned["duplicate_of"] = None
            return cleaned
        typed = cleaned.get("duplicate_of") or ""
        reference = normalised_reference(typed)
        if not typed.strip():
            self.add_error("duplicate_of", "Enter the reference of the report this repeats")
        elif not reference:
            self.add_error("duplicate_of", "Enter a reference like SC-7K3M-Q9TB")
        else:
            original = CommunityReport.objects.filter(reference=reference).first()
            if original is None:
                self.add_error("duplicate_of", f"There is no report with reference {reference}")
            elif original.pk == self.report.pk:
                self.add_error("duplicate_of", "A report cannot be a duplicate of itself")
            else:
                cleaned["duplicate_of"] = original
        return cleaned


class EraseForm(forms.Form):
    """Confirm deleting the report's personal data."""

    prefix = "erase"

    confirm = forms.BooleanField(
        label="I understand the personal details in this report will be deleted for good",
        error_messages={"required": "Confirm that the personal details should be deleted"},
    )


class SubjectAccessRequest(models.TextChoices):
    """What the person the report is about asked for."""

    ACCESS = "access", "A copy of everything held about the report (JSON download)"
    ERASURE = "erasure", "Delete the personal details in the report"


class SubjectAccessForm(forms.Form):
    """A subject access or erasure request, found by the report's reference."""

    reference = forms.CharField(
        label="Report reference",
        max_length=40,
        error_messages={"required": "Enter the report reference"},
    )
    request_type = forms.ChoiceField(
        label="What has the person asked for?",
        choices=SubjectAccessRequest.choices,
        error_messages={"required": "Choose what the person has asked for"},
    )
    identity_checked = forms.BooleanField(
        label="I have checked that the request comes from the person the report is about",
        error_messages={"required": "Confirm that you have checked who is asking"},
    )

    def clean_reference(self) -> str:
        """The reference in its stored form."""
        reference = normalised_reference(self.cleaned_data["reference"])
        if not reference:
            raise forms.ValidationError("Enter a reference like SC-7K3M-Q9TB")
        return reference
