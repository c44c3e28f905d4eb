"""Forms of the receivers' pages: queue filters, re-grade, sanitise, link, outcome."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from safecity_web import core_gateway
from safecity_web.intelligence.boundary_places import boundary_places
from safecity_web.intelligence.handling import MAX_REASON_CHARACTERS, OriginalContent
from safecity_web.intelligence.models import SubmissionStatus
from safecity_web.intelligence.sanitising import (
    DATES,
    PLACE_WORDS,
    POINT,
    PROVENANCE,
    WHAT_IS_KNOWN,
    SanitisedChoice,
)
from safecity_web.intelligence.submission import MAX_FIELD_CHARACTERS, MAX_TEXT_CHARACTERS
from safecity_web.strategy.importing import current_strategy
from safecity_web.strategy.models import Action

ANY = ("", "Any")


def _grade_choices(grades: Any) -> list[tuple[str, str]]:
    return [(grade.code, f"{grade.code}: {grade.label}") for grade in grades]


class QueueFilterForm(forms.Form):
    """Filters of the receivers' queue (all optional; an unknown value is a form error)."""

    topic = forms.ChoiceField(label="Topic", required=False)
    status = forms.ChoiceField(label="Status", required=False)
    source_evaluation = forms.ChoiceField(label="Source evaluation", required=False)
    intelligence_assessment = forms.ChoiceField(label="Intelligence assessment", required=False)
    handling_code = forms.ChoiceField(label="Handling code", required=False)

    def __init__(self, *args: Any, topics: frozenset[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        config = core_gateway.intelligence_config()
        self.fields["topic"].choices = [ANY] + [
            (topic.id, topic.label) for topic in config.topics if topic.id in topics
        ]
        self.fields["status"].choices = [("", "Any but deleted"), *SubmissionStatus.choices]
        self.fields["source_evaluation"].choices = [ANY, *_grade_choices(config.source_evaluation)]
        self.fields["intelligence_assessment"].choices = [
            ANY,
            *_grade_choices(config.intelligence_assessment),
        ]
        self.fields["handling_code"].choices = [ANY, *_grade_choices(config.handling_codes)]


class RegradeForm(forms.Form):
    """Re-grade under the 3x5x2 model, with the reason."""

    prefix = "regrade"

    source_evaluation = forms.ChoiceField(
        label="Source evaluation", error_messages={"required": "Choose the source evaluation"}
    )
    intelligence_assessment = forms.ChoiceField(
        label="Intelligence assessment",
        error_messages={"required": "Choose the intelligence assessment"},
    )
    handling_code = forms.ChoiceField(
        label="Handling code", error_messages={"required": "Choose the handling code"}
    )
    handling_conditions = forms.CharField(
        label="Handling conditions (handling code C only)",
        required=False,
        max_length=MAX_FIELD_CHARACTERS,
        widget=forms.Textarea,
    )
    reason = forms.CharField(
        label="Why the grading changes",
        max_length=MAX_REASON_CHARACTERS,
        widget=forms.Textarea,
        error_messages={"required": "Say why the grading changes"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        config = core_gateway.intelligence_config()
        self.fields["source_evaluation"].choices = _grade_choices(config.source_evaluation)
        self.fields["intelligence_assessment"].choices = _grade_choices(
            config.intelligence_assessment
        )
        self.fields["handling_code"].choices = _grade_choices(config.handling_codes)


class LinkActionForm(forms.Form):
    """Link to an action of the current action plan."""

    prefix = "action"

    action = forms.ChoiceField(
        label="Action of the action plan",
        error_messages={"required": "Choose the action", "invalid_choice": "Choose an action"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        strategy = current_strategy()
        self.actions: dict[str, Action] = {}
        if strategy is not None:
            self.actions = {
                str(action.pk): action
                for action in Action.objects.filter(
                    focus_area__priority__strategy=strategy
                ).order_by("focus_area__priority__position", "focus_area__position", "position")
            }
        self.fields["action"].choices = [("", "Choose an action")] + [
            (key, f"{action.code}: {_short(action.text)}") for key, action in self.actions.items()
        ]
        if not self.actions:
            self.fields["action"].error_messages["invalid_choice"] = (
                "No action plan has been imported, so there is no action to link to"
            )

    def clean_action(self) -> Action:
        """The chosen action."""
        return self.actions[self.cleaned_data["action"]]


def _short(text: str, *, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class LinkPlaceForm(forms.Form):
    """Link to a ward or LSOA of the published boundaries, chosen by name."""

    prefix = "place"

    area_code = forms.ChoiceField(
        label="Ward or LSOA",
        error_messages={"required": "Choose the place", "invalid_choice": "Choose a place"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        places = boundary_places()
        self.fields["area_code"].choices = [("", "Choose a place")] + [
            (code, place.label) for code, place in places.items()
        ]
        if not places:
            self.fields["area_code"].error_messages["invalid_choice"] = (
                "No boundaries are published, so there is no place to link to"
            )


class OutcomeForm(forms.Form):
    """Record what came of the submission."""

    prefix = "outcome"

    outcome = forms.ChoiceField(label="Outcome", error_messages={"required": "Choose the outcome"})
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=MAX_REASON_CHARACTERS,
        widget=forms.Textarea,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [
            (choice.id, choice.label) for choice in core_gateway.intelligence_config().outcomes
        ]


@dataclass(frozen=True)
class SanitiseItem:
    """One field of the original on the sanitise form: keep it, and the text kept if editable."""

    name: str
    label: str
    original: str
    keep: forms.BoundField
    text: forms.BoundField | None


def _key(name: str) -> str:
    """A form field name for a removable field (``subjects[0].name`` -> ``subject_0_name``)."""
    return name.replace("subjects[", "subject_").replace("].", "_")


class SanitiseForm(forms.Form):
    """Choose what a sanitised copy keeps (nothing by default), rewriting the kept text."""

    prefix = "sanitise"

    def __init__(self, *args: Any, original: OriginalContent, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.original = original
        self.specs: list[tuple[str, str, str, bool, int]] = [
            (WHAT_IS_KNOWN, "What is known", original.what_is_known, True, MAX_TEXT_CHARACTERS),
            (
                PROVENANCE,
                "How the submitter knows it",
                original.provenance_label
                + (f": {original.provenance_detail}" if original.provenance_detail else ""),
                False,
                0,
            ),
        ]
        if original.place_words:
            self.specs.append(
                (
                    PLACE_WORDS,
                    "The place in words",
                    original.place_words,
                    True,
                    MAX_FIELD_CHARACTERS,
                )
            )
        if original.latitude is not None and original.longitude is not None:
            self.specs.append(
                (POINT, "The point", f"{original.latitude}, {original.longitude}", False, 0)
            )
        if original.occurred_from is not None or original.occurred_to is not None:
            days = f"{original.occurred_from or ''} to {original.occurred_to or ''}"
            self.specs.append((DATES, "When it happened", days, False, 0))
        for subject in original.subjects:
            for item in subject.fields:
                self.specs.append(
                    (
                        f"subjects[{subject.position}].{item.id}",
                        f"{subject.kind_label} {subject.position + 1}: {item.label}",
                        item.value,
                        True,
                        MAX_FIELD_CHARACTERS,
                    )
                )
        for name, label, text, editable, limit in self.specs:
            self.fields[f"keep_{_key(name)}"] = forms.BooleanField(
                label=f"Keep: {label}", required=False
            )
            if editable:
                self.fields[_key(name)] = forms.CharField(
                    label=f"{label} as it will read in the copy",
                    required=False,
                    max_length=limit,
                    widget=forms.Textarea if name == WHAT_IS_KNOWN else forms.TextInput,
                    initial=text,
                )

    def items(self) -> list[SanitiseItem]:
        """The fields of the original in order, for the template."""
        return [
            SanitiseItem(
                name=name,
                label=label,
                original=text,
                keep=self[f"keep_{_key(name)}"],
                text=self[_key(name)] if editable else None,
            )
            for name, label, text, editable, _ in self.specs
        ]

    def field_for(self, name: str) -> str | None:
        """The form field where an error about the removable field ``name`` belongs."""
        key = _key(name)
        if key in self.fields:
            return key
        return f"keep_{key}" if f"keep_{key}" in self.fields else None

    def choice(self) -> SanitisedChoice:
        """What the receiver chose to keep (after ``is_valid()``)."""
        data = self.cleaned_data

        def kept(name: str) -> bool:
            return bool(data.get(f"keep_{_key(name)}"))

        def text(name: str) -> str | None:
            return str(data.get(_key(name), "")) if kept(name) else None

        subjects: dict[int, dict[str, str]] = {}
        for subject in self.original.subjects:
            for item in subject.fields:
                name = f"subjects[{subject.position}].{item.id}"
                if kept(name):
                    subjects.setdefault(subject.position, {})[item.id] = str(
                        data.get(_key(name), "")
                    )
        return SanitisedChoice(
            what_is_known=text(WHAT_IS_KNOWN),
            provenance=kept(PROVENANCE),
            place_words=text(PLACE_WORDS),
            point=kept(POINT),
            dates=kept(DATES),
            subjects=subjects,
        )
