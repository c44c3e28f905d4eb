"""The question pages of the Community Partnership Intelligence form (one form per page).

Each form knows its page heading and template, how to read its answers from the draft
(:meth:`StepForm.initial_from`), how to write them back (:meth:`StepForm.save`) and what the
check-answers page shows for them (:meth:`StepForm.summary`). Every choice (topics, subject
kinds and their fields, provenance, the 3x5x2 grades and their explanations) comes from
``intelligence.yaml`` through the gateway, so the page always offers what the service accepts.
The service (``submission.submit_intelligence``) checks everything again on submit.
"""

from __future__ import annotations

import datetime
import math
from typing import Any, ClassVar

from django import forms
from django.utils import timezone

from safecity_web import core_gateway
from safecity_web.intelligence.journey_submit import Draft, WhereMode
from safecity_web.intelligence.submission import (
    MAX_FIELD_CHARACTERS,
    MAX_SUBJECTS,
    MAX_TEXT_CHARACTERS,
    OLDEST_YEARS,
)
from safecity_web.reporting.dates import DateProblem, parse_date_parts
from safecity_web.reporting.places import area_name
from safecity_web.reporting.submission import current_boundaries

NOT_GIVEN = "Not given"


def config() -> Any:
    """The partner-intelligence vocabulary (``intelligence.yaml``)."""
    return core_gateway.intelligence_config()


def ward_choices() -> list[tuple[str, str]]:
    """(GSS code, name) of the published boundaries' wards, by name (empty: none published)."""
    boundaries = current_boundaries()
    if boundaries is None:
        return []
    wards = {
        str(properties.get("area_code", "")): str(properties.get("area_name", ""))
        for properties in (
            feature.get("properties") or {} for feature in boundaries[1].get("features", [])
        )
        if properties.get("area_level") == "ward" and properties.get("area_code")
    }
    return sorted(wards.items(), key=lambda item: (item[1].casefold(), item[0]))


def _text_field(*, limit: int, required: bool = False, message: str = "") -> forms.CharField:
    return forms.CharField(
        required=required,
        max_length=limit,
        strip=True,
        error_messages={
            "required": message,
            "max_length": f"Write at most {limit:,} characters",
        },
    )


class StepForm(forms.Form):
    """One question page of the form."""

    heading: ClassVar[str] = ""
    template: ClassVar[str] = ""

    def __init__(self, *args: Any, draft: Draft, **kwargs: Any) -> None:
        self.draft = draft
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_from(cls, draft: Draft) -> dict[str, Any]:
        """The form's initial answers from the draft."""
        return {name: draft[name] for name in cls.base_fields if name in draft}

    def save(self, draft: Draft) -> None:
        """Write the cleaned answers into the draft."""
        draft.update(self.cleaned_data)

    @classmethod
    def summary(cls, draft: Draft) -> list[tuple[str, str]]:
        """(question, answer) rows for the check-answers page."""
        return []

    def error_links(self) -> list[tuple[str, str]]:
        """(element id, message) for the error summary, in page order."""
        links = []
        for name in self.fields:
            for error in self.errors.get(name, []):
                links.append((self[name].auto_id or f"id_{name}", str(error)))
        first = next(iter(self.fields), "")
        for error in self.non_field_errors():
            links.append((self[first].auto_id if first else "main-content", str(error)))
        return links

    def options(self, name: str, hints: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """The radios of the choice field ``name``, ready to draw (first id = the field's id)."""
        bound = self[name]
        chosen = str(bound.value() or "")
        return [
            {
                "value": str(value),
                "label": str(label),
                "hint": (hints or {}).get(str(value), ""),
                "id": bound.auto_id if index == 0 else f"{bound.auto_id}-{value}",
                "checked": str(value) == chosen,
            }
            for index, (value, label) in enumerate(self.fields[name].choices)  # type: ignore[attr-defined]
        ]


class TopicForm(StepForm):
    """What the intelligence is about (a topic; it decides who receives it)."""

    heading = "What is the intelligence about?"
    template = "intelligence/submit/topic.html"
    topic = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what the intelligence is about",
            "invalid_choice": "Select one of the topics listed",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [(topic.id, topic.label) for topic in config().topics]  # type: ignore[attr-defined]

    def topic_options(self) -> list[dict[str, Any]]:
        """The topics as radios, each with its hint."""
        return self.options("topic", {topic.id: topic.hint for topic in config().topics})

    @classmethod
    def summary(cls, draft: Draft) -> list[tuple[str, str]]:
        return [("Topic", config().topic(draft["topic"]).label)]


class WhatForm(StepForm):
    """What is known, in the submitter's words."""

    heading = "What do you know?"
    template = "intelligence/submit/what.html"
    what_is_known = _text_field(
        limit=MAX_TEXT_CHARACTERS, required=True, message="Enter what you know"
    )
    limit = MAX_TEXT_CHARACTERS

    @classmethod
    def summary(cls, draft: Draft) -> list[tuple[str, str]]:
        return [("What is known", draft["what_is_known"])]


class SubjectKindForm(StepForm):
    """Which kind of subject to add (person, vehicle, premises, place)."""

    kind = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what you want to add: a person, vehicle, premises or place",
            "invalid_choice": "Select one of the kinds listed",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.id, kind.label) for kind in config().subject_kinds]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if len(self.draft.get("subjects", [])) >= MAX_SUBJECTS:
            raise forms.ValidationError(
                f"You can add at most {MAX_SUBJECTS} people, vehicles, premises or places"
            )
        return cleaned

    @classmethod
    def summary(cls, draft: Draft) -> list[tuple[str, str]]:
        subjects = draft.get("subjects", [])
        if not subjects:
            return [("About whom or what", NOT_GIVEN)]
        return [
            (f"{subject_heading(subject['kind'])} {position}", subject_text(subject))
            for position, subject in enumerate(subjects, start=1)
        ]


def subject_heading(kind_id: str) -> str:
    """``Person``, ``Vehicle``... for a subject kind."""
    return kind_id.replace("_", " ").capitalize()


def subject_text(subject: dict[str, Any]) -> str:
    """A subject's details, one ``label: text`` line each, in the configuration's order."""
    kind = config().subject_kind(subject["kind"])
    details = subject.get("details", {})
    return "\n".join(
        f"{choice.label}: {details[choice.id]}" for choice in kind.fields if details.get(choice.id)
    )


class SubjectForm(StepForm):
    """One person, vehicle, premises or place: the kind's fields, all optional but one."""

    template = "intelligence/submit/subject.html"

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = config().subject_kind(kind)
        for choice in self.kind.fields:
            self.fields[choice.id] = _text_field(limit=MAX_FIELD_CHARACTERS)
            self.fields[choice.id].label = choice.label

    @property
    def title(self) -> str:
        """The page heading, e.g. "A person"."""
        return str(self.kind.label)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(str(cleaned.get(choice.id, "")).strip() for choice in self.kind.fields):
            raise forms.ValidationError(
                f"Enter at least one detail about {self.kind.label[0].lower()}{self.kind.label[1:]}"
            )
        return cleaned

    def details(self) -> dict[str, str]:
        """The details typed (empty fields left out)."""
        return {
            choice.id: str(self.cleaned_data[choice.id])
            for choice in self.kind.fields
            if str(self.cleaned_data.get(choice.id, "")).strip()
        }


class WhereForm(StepForm):
    """Where: a ward of the published boundaries chosen by name, or a point; and place words."""

    heading = "Where is it about?"
    template = "intelligence/submit/where.html"
    where = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you want to say where, or that it is not known"},
    )
    ward_code = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": "Select one of the wards listed"},
    )
    latitude = forms.CharField(required=False, max_length=20)
    longitude = forms.CharField(required=False, max_length=20)
    place_words = _text_field(limit=MAX_FIELD_CHARACTERS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wards = ward_choices()
        modes = [
            (WhereMode.WARD.value, "In a ward of the partnership's area"),
            (WhereMode.POINT.value, "At a point I can give as latitude and longitude"),
            (WhereMode.NONE.value, "Not known, or not about one place"),
        ]
        if not self.wards:
            modes = modes[1:]
        self.fields["where"].choices = modes  # type: ignore[attr-defined]
        self.fields["ward_code"].choices = [("", "Choose a ward"), *self.wards]  # type: ignore[attr-defined]

    def where_options(self) -> list[dict[str, Any]]:
        """The ways to say where, as radios."""
        return self.options("where")

    @classmethod
    def initial_from(cls, draft: Draft) -> dict[str, Any]:
        initial = super().initial_from(draft)
        for name in ("latitude", "longitude"):
            if isinstance(draft.get(name), int | float):
                initial[name] = str(draft[name])
        return initial

    def _coordinate(self, name: str, *, low: float, high: float) -> float | None:
        text = str(self.cleaned_data.get(name, "")).strip()
        words = "Latitude" if name == "latitude" else "Longitude"
        if not text:
            self.add_error(name, f"Enter the {words.lower()}")
            return None
        try:
            value = float(text)
        except ValueError:
            self.add_error(name, f"{words} must be a number, for example 50.9097")
            return None
        if not math.isfinite(value) or not low <= value <= high:
            self.add_error(name, f"{words} must be between {low:g} and {high:g}")
            return None
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        mode = cleaned.get("where")
        if mode == WhereMode.WARD and not cleaned.get("ward_code"):
            self.add_error("ward_code", "Select the ward")
        if mode == WhereMode.POINT:
            cleaned["latitude_value"] = self._coordinate("latitude", low=-90.0, high=90.0)
            cleaned["longitude_value"] = self._coordinate("longitude", low=-180.0, high=180.0)
        return cleaned

    def save(self, draft: Draft) -> None:
        mode = self.cleaned_data["where"]
        draft["where"] = mode
        draft["place_words"] = self.cleaned_data.get("place_words", "")
        draft["ward_code"] = self.cleaned_data["ward_code"] if mode == WhereMode.WARD else ""
        point = mode == WhereMode.POINT
        draft["latitude"] = self.cleaned_data["latitude_value"] if point else None
        draft["longitude"] = self.cleaned_data["longitude_value"] if point else None

    @classmethod
    def summary(cls, draft: Draft) -> list[tuple[str, str]]:
        mode = draft.get("where", WhereMode.NONE.value)
        if mode == WhereMode.WARD:
            name = area_name(code=draft.get("ward_code", ""))
            place = f"{name} ward" if name else f"Ward {draft.get('ward_code', '')}"
        elif mode == WhereMode.POINT:
            place = f"Latitude {draft['latitude']}, longitude {draft['longitude']}"
        else:
            place = "Not known, or not about one place"
        rows = [("Where", place)]
        rows.append(("Place in words", draft.get("place_words") or NOT_GIVEN))
        return rows


DATE_GROUPS = {"from": "the first date", "to": "the last date"}


class WhenForm(StepForm):
    """When (optional): the first and last date it concerns."""

    heading = "When did it happen?"
    template = "intelligence/submit/when.html"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for group in DATE_GROUPS:
            for part in ("day", "month", "year"):
                self.fields[f"{group}_{part}"] = forms.CharField(required=False, max_length=8)
        self.problems: dict[str, DateProblem] = {}

    @classmethod
    def initial_from(cls, draft: Draft) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for group, key in (("from", "occurred_from"), ("to", "occurred_to")):
            if draft.get(key):
                value = datetime.date.fromisoformat(draft[key])
                initial.update(
                    {f"{group}_day": value.day, f"{group}_month": value.month}
                    | {f"{group}_year": value.year}
                )
        return initial

    def _typed(self, group: str) -> bool:
        return any(
            str(self.cleaned_data.get(f"{group}_{part}", "")).strip()
            for part in ("day", "month", "year")
        )

    def _problem(self, group: str, problem: DateProblem) -> None:
        self.problems[group] = problem
        self.add_error(f"{group}_{problem.parts[0]}", problem.message)

    def _date(self, group: str) -> datetime.date | None:
        what = DATE_GROUPS[group]
        parsed = parse_date_parts(
            day=str(self.cleaned_data.get(f"{group}_day", "")),
            month=str(self.cleaned_data.get(f"{group}_month", "")),
            year=str(self.cleaned_data.get(f"{group}_year", "")),
            what=what,
        )
        if isinstance(parsed, DateProblem):
            self._problem(group, parsed)
            return None
        today = timezone.localdate()
        if parsed > today:
            self._problem(
                group,
                DateProblem(f"{what.capitalize()} must be today or in the past", ("day",)),
            )
            return None
        if parsed.year < today.year - OLDEST_YEARS:
            self._problem(
                group,
                DateProblem(
                    f"{what.capitalize()} must be within the last {OLDEST_YEARS} years",
                    ("year",),
                ),
            )
            return None
        return parsed

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["occurred_from"] = cleaned["occurred_to"] = None
        has_from, has_to = self._typed("from"), self._typed("to")
        if not has_from and not has_to:
            return cleaned
        if has_to and not has_from:
            self._problem("from", DateProblem("Enter the first date", ("day", "month", "year")))
            return cleaned
        first = self._date("from")
        last = self._date("to") if has_to else first
        if first is not None and last is not None:
            if first > last:
                self._problem(
                    "to", DateProblem("The last date must be on or after the first date", ("day",))
                )
            else:
                cleaned["occurred_from"], cleaned["occurred_to"] = first, last
        return cleaned

    def save(self, draft: Draft) -> None:
        first, last = self.cleaned_data["occurred_from"], self.cleaned_data["occurred_to"]
        draft["occurred_from"] = first.isoformat() if first else ""
        draft["occurred_to"] = last.isoformat() if last else ""

    def date_group(self, group: str) -> dict[str, Any]:
        """One date input's legend, boxes and error, ready to draw."""
        problem = self.problems.get(group)
        boxes = []
        for part, label, width in (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4)):
            bound = self[f"{group}_{part}"]
            boxes.append(
                {
                    "id": bound.auto_id,
                    "name": bound.html_name,
                    "label": label,
                    "width": width,
                    "value": bound.value() or "",
                    "error": problem is not None and part in problem.parts,
                }
            )
        legend = "First date" if group == "from" else "Last date (if it went on over a period)"
        return {
            "group": group,
            "legend": legend,
            "boxes": boxes,
            "error": problem.message if problem else "",
        }

    def date_groups(self) -> dict[str, dict[str, Any]]:
        """Both date inputs, by group."""
        return {group: self.date_group(group) for group in DATE_GROUPS}

    def error_links(self) -> list[tuple[str, str]]:
        return [
            (f"id_{group}_{problem.parts[0]}", problem.message)
            for group, problem in self.problems.items()
        ]

    @classmethod
    def summary(cls, draft: Draft) -> list[tuple[str, str]]:
        first, last = str(draft.get("occurred_from") or ""), str(draft.get("occurred_to") or "")
        if not first or not last:
            return [("When", NOT_GIVEN)]
        start, end = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
        if start == end:
            return [("When", f"{start:%-d %B %Y}")]
        return [("When", f"Between {start:%-d %B %Y} and {end:%-d %B %Y}")]


class ProvenanceForm(StepForm):
    """How the submitter knows (provenance); details required for "another way"."""

    heading = "How do you know this?"
    template = "intelligence/submit/provenance.html"
    provenance = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how you know this",
            "invalid_choice": "Select one of the answers listed",
        },
    )
    provenance_detail = _text_field(limit=MAX_FIELD_CHARACTERS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provenance"].choices = [  # type: ignore[attr-defined]
            (choice.id, choice.label) for choice in config().provenance
        ]

    def provenance_options(self) -> list[dict[str, Any]]:
        """How the submitter may know, as radios."""
        return self.options("provenance")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("provenance") == "other" and not cleaned.get("provenance_detail"):
            self.add_error("provenance_detail", "Say how you know this")
        return cleaned

    @classmethod
    def summary(cls, draft: Draft) -> list[tuple[str, str]]:
        label = {choice.id: choice.label for choice in config().provenance}[draft["provenance"]]
        rows = [("How you know", label)]
        if draft.get("provenance_detail"):
            rows.append(("How you know: details", draft["provenance_detail"]))
        return rows


class GradingForm(StepForm):
    """The submitter's grading under the 3x5x2 model, with the model explained beside it."""

    heading = "Grade the intelligence"
    template = "intelligence/submit/grading.html"
    source_evaluation = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how reliable the source is (1, 2 or 3)",
            "invalid_choice": "Select 1, 2 or 3",
        },
    )
    intelligence_assessment = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how the source knows it (A to E)",
            "invalid_choice": "Select one of A, B, C, D or E",
        },
    )
    handling_code = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how it may be shared (P or C)",
            "invalid_choice": "Select P or C",
        },
    )
    handling_conditions = _text_field(limit=MAX_FIELD_CHARACTERS)

    SCALES: ClassVar[tuple[tuple[str, str], ...]] = (
        ("source_evaluation", "source_evaluation"),
        ("intelligence_assessment", "intelligence_assessment"),
        ("handling_code", "handling_codes"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, scale in self.SCALES:
            self.fields[name].choices = [  # type: ignore[attr-defined]
                (grade.code, f"{grade.code}: {grade.label}") for grade in getattr(config(), scale)
            ]

    def scale_options(self, name: str) -> list[dict[str, Any]]:
        """The radios of one scale, each with the grade's explanation as its hint."""
        scale = dict(self.SCALES)[name]
        return self.options(
            name, {grade.code: grade.explanation for grade in getattr(config(), scale)}
        )

    def source_options(self) -> list[dict[str, Any]]:
        """Source evaluation radios (1-3)."""
        return self.scale_options("source_evaluation")

    def assessment_options(self) -> list[dict[str, Any]]:
        """Intelligence assessment radios (A-E)."""
        return self.scale_options("intelligence_assessment")

    def handling_options(self) -> list[dict[str, Any]]:
        """Handling code radios (P, C)."""
        return self.scale_options("handling_code")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        code = cleaned.get("handling_code")
        if not code:
            return cleaned
        handling = config().handling_code(code)
        conditions = cleaned.get("handling_conditions", "")
        if handling.conditions_required and not conditions:
            self.add_error(
                "handling_conditions",
                f"Write the conditions on which it may be shared (handling code {code})",
            )
        if not handling.conditions_required and conditions:
            self.add_error(
                "handling_conditions",
                f"Handling code {code} has no conditions: delete them, or choose a code "
                "with conditions",
            )
        return cleaned

    @classmethod
    def summary(cls, draft: Draft) -> list[tuple[str, str]]:
        settings = config()
        source = {grade.code: grade.label for grade in settings.source_evaluation}
        assessment = {grade.code: grade.label for grade in settings.intelligence_assessment}
        handling = settings.handling_code(draft["handling_code"])
        grade = (
            f"{draft['source_evaluation']}{draft['intelligence_assessment']}"
            f"{draft['handling_code']}"
        )
        rows = [
            ("Grading", grade),
            (
                "Source evaluation",
                f"{draft['source_evaluation']}: {source[draft['source_evaluation']]}",
            ),
            (
                "Intelligence assessment",
                f"{draft['intelligence_assessment']}: "
                f"{assessment[draft['intelligence_assessment']]}",
            ),
            ("Handling code", f"{handling.code}: {handling.label}"),
        ]
        if draft.get("handling_conditions"):
            rows.append(("Handling conditions", draft["handling_conditions"]))
        return rows


class CheckForm(forms.Form):
    """The check-answers page's submit button: the draft's id (random; no content)."""

    draft_id = forms.CharField(max_length=64)
