"""Forms of the partner portal's strategy pages (rendered with GOV.UK Frontend markup)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from safecity_web.accounts.models import Organisation, OrganisationKind
from safecity_web.strategy.models import ProgressStatus, ProgressUpdate, RagRating

MAX_STRATEGY_FILE_BYTES = 2 * 1024 * 1024
MINIMUM_YEAR = 1900


class DateInputs(forms.MultiWidget):
    """GOV.UK date input: day, month and year boxes named ``<name>_day`` and so on."""

    def __init__(self) -> None:
        super().__init__(
            widgets={
                "day": forms.TextInput(),
                "month": forms.TextInput(),
                "year": forms.TextInput(),
            }
        )

    def decompress(self, value: Any) -> list[Any]:
        """Split a date into day, month and year."""
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    """A date typed as day, month and year (the GOV.UK date input pattern)."""

    widget = DateInputs

    def __init__(self, **kwargs: Any) -> None:
        parts = tuple(
            forms.IntegerField(required=False, error_messages={"invalid": "Enter a real date"})
            for _ in range(3)
        )
        messages = {"incomplete": "Enter a day, month and year", "invalid": "Enter a real date"}
        messages.update(kwargs.pop("error_messages", {}))
        super().__init__(fields=parts, require_all_fields=False, error_messages=messages, **kwargs)

    def compress(self, data_list: list[Any]) -> datetime.date | None:
        """Make the date, or say it is not a real date."""
        if not data_list:
            return None
        day, month, year = data_list
        if None in (day, month, year):
            raise forms.ValidationError(self.error_messages["incomplete"], code="incomplete")
        try:
            if year < MINIMUM_YEAR:
                raise ValueError(f"year {year}")
            return datetime.date(year, month, day)
        except (TypeError, ValueError, OverflowError) as error:
            raise forms.ValidationError("Enter a real date", code="invalid") from error


class ProgressUpdateForm(forms.ModelForm):
    """A new progress update on an action."""

    update_date = GovukDateField(
        label="Date of the update",
        error_messages={"required": "Enter the date of the update"},
    )
    evidence_link = forms.URLField(
        label="Link to evidence (optional)",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address starting with http:// or https://"},
    )

    class Meta:
        model = ProgressUpdate
        fields = ["status", "rag", "percent_complete", "narrative", "evidence_link"]
        labels = {
            "status": "Status",
            "rag": "RAG rating",
            "percent_complete": "Percentage complete",
            "narrative": "What has happened since the last update",
            "evidence_link": "Link to evidence (optional)",
        }
        error_messages = {
            "status": {
                "required": "Select the action's status",
                "invalid_choice": "Select the action's status",
            },
            "rag": {
                "required": "Select a RAG rating",
                "invalid_choice": "Select a RAG rating: red, amber or green",
            },
            "narrative": {"required": "Describe what has happened since the last update"},
            "percent_complete": {
                "required": "Enter the percentage complete",
                "min_value": "Percentage complete must be between 0 and 100",
                "max_value": "Percentage complete must be between 0 and 100",
                "invalid": "Percentage complete must be a whole number, like 40",
            },
            "evidence_link": {
                "invalid": "Enter a web address starting with http:// or https://",
            },
        }

    field_order = ["status", "rag", "percent_complete", "update_date", "narrative", "evidence_link"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = ProgressStatus.choices
        self.fields["rag"].choices = RagRating.choices
        self.fields["percent_complete"].widget = forms.TextInput(attrs={"inputmode": "numeric"})

    def clean_update_date(self) -> datetime.date:
        """The update's date may not be in the future."""
        value: datetime.date = self.cleaned_data["update_date"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date of the update must be today or in the past")
        return value

    def clean(self) -> dict[str, Any]:
        """A complete action is 100% complete."""
        cleaned: dict[str, Any] = super().clean() or {}
        if (
            cleaned.get("status") == ProgressStatus.COMPLETE
            and cleaned.get("percent_complete") is not None
            and cleaned["percent_complete"] != 100
        ):
            self.add_error("percent_complete", "A complete action must be 100% complete")
        return cleaned


class StrategyUploadForm(forms.Form):
    """Upload a strategy YAML file."""

    strategy_file = forms.FileField(label="Strategy file (YAML)")

    def clean_strategy_file(self) -> Any:
        """A YAML file no larger than 2 MB."""
        upload = self.cleaned_data["strategy_file"]
        if not upload.name.lower().endswith((".yaml", ".yml")):
            raise forms.ValidationError("The selected file must be a YAML file (.yaml or .yml)")
        if upload.size > MAX_STRATEGY_FILE_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 2 MB")
        return upload


class LinkBodyForm(forms.Form):
    """Link a responsible body's name to an existing organisation."""

    body_name = forms.CharField(widget=forms.HiddenInput, max_length=300)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"),
        label="Organisation",
        empty_label="Choose an organisation",
        error_messages={"required": "Choose the organisation this body belongs to"},
    )


class CreateOrganisationForm(forms.Form):
    """Create an organisation for a responsible body and link the body to it."""

    body_name = forms.CharField(widget=forms.HiddenInput, max_length=300)
    name = forms.CharField(
        label="Organisation name",
        max_length=200,
        error_messages={"required": "Enter the organisation's name"},
    )
    kind = forms.ChoiceField(
        label="Kind of organisation",
        choices=OrganisationKind.choices,
        error_messages={"required": "Choose the kind of organisation"},
    )

    def clean_name(self) -> str:
        """The name must not already be an organisation's."""
        name: str = self.cleaned_data["name"].strip()
        if Organisation.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(
                "An organisation with this name exists: link the body to it instead"
            )
        return name


class OutcomeIndicatorForm(forms.Form):
    """Link an observatory indicator to an outcome."""

    indicator_id = forms.ChoiceField(
        label="Indicator", error_messages={"required": "Choose an indicator"}
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator_id"].choices = choices


class StatementAssembleForm(forms.Form):
    """The period an annual statement covers."""

    period_start = GovukDateField(
        label="Start of the period",
        error_messages={"required": "Enter the date the period starts"},
    )
    period_end = GovukDateField(
        label="End of the period",
        error_messages={"required": "Enter the date the period ends"},
    )

    def clean(self) -> dict[str, Any]:
        """The period must end after it starts."""
        cleaned: dict[str, Any] = super().clean() or {}
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end of the period must be after its start")
        return cleaned


class StatementEditForm(forms.Form):
    """The statement's title and text."""

    title = forms.CharField(
        label="Title", max_length=300, error_messages={"required": "Enter a title"}
    )
    body = forms.CharField(
        label="Statement text",
        widget=forms.Textarea(attrs={"rows": 25}),
        error_messages={"required": "Enter the statement's text"},
        max_length=50_000,
    )
