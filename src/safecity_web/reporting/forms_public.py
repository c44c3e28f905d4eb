"""The question pages of the report journeys: one form per page, GOV.UK wording and errors.

Each form is one question. It knows its page heading, its template, how to read its answer
from the draft kept in the session (:meth:`JourneyForm.initial_from`), how to write the answer
back (:meth:`JourneyForm.save`), what the check-answers page shows for it
(:meth:`JourneyForm.summary`) and what it adds to the :class:`ReportDraft` that is submitted
(:meth:`JourneyForm.contribute`). The same forms serve the public, reporting-centre and business
journeys (``journey.py``); wording that differs is chosen by the :class:`Audience`.

The draft is a plain dictionary (JSON in the session): identifiers and typed text only, dates
as ISO text, photos already cleaned and encrypted.
"""

from __future__ import annotations

import base64
import datetime
import enum
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django import forms
from django.core.validators import EmailValidator, MaxLengthValidator
from django.utils import timezone

from safecity_web import core_gateway
from safecity_web.encryption import Purpose, decrypt_bytes, encrypt_bytes
from safecity_web.reporting.attachments import (
    AttachmentRejectedError,
    accepted_types_words,
    clean_image,
    read_capped,
)
from safecity_web.reporting.dates import DateProblem, parse_date_parts
from safecity_web.reporting.places import PlaceMatch, area_name, matching_places
from safecity_web.reporting.submission import (
    OLDEST_REPORTABLE_YEARS,
    CleanImage,
    SubmissionRejectedError,
    current_boundaries,
)

MAX_TEXT_FIELD = 200
MAX_LOSSES = Decimal("10000000")


class Audience(enum.Enum):
    """Who is filling in the journey (it changes the wording, not the questions' meaning)."""

    PUBLIC = "public"
    CENTRE = "centre"
    BUSINESS = "business"


class WhenMode(enum.StrEnum):
    """A single day, or a period."""

    DAY = "day"
    RANGE = "range"


class WhereMode(enum.StrEnum):
    """A place in the area, online, or not said."""

    PLACE = "place"
    ONLINE = "online"
    NOT_SAID = "not_said"


class ContactChoice(enum.StrEnum):
    """Whether the reporter wants to be contacted."""

    YES = "yes"
    NO = "no"


class Sharing(enum.StrEnum):
    """What a victim agreed a reporting centre may share."""

    DESCRIPTION = "description"
    CONTACT = "contact"
    POLICE = "police"


class ContactMethod(enum.StrEnum):
    """How a victim may be contacted."""

    PHONE = "phone"
    EMAIL = "email"
    CENTRE = "centre"


SHARING_LABELS = {
    Sharing.DESCRIPTION: "What happened, in their words",
    Sharing.CONTACT: "Their contact details",
    Sharing.POLICE: "The report may be passed to the police",
}
CONTACT_METHOD_LABELS = {
    ContactMethod.PHONE: "By phone",
    ContactMethod.EMAIL: "By email",
    ContactMethod.CENTRE: "Through the reporting centre",
}
NOT_GIVEN = "Not given"


def config() -> Any:
    """The community-reporting vocabulary."""
    return core_gateway.community_reports_config()


def kind_choices(kind_ids: tuple[str, ...]) -> list[tuple[str, str]]:
    """(id, label) of the report kinds ``kind_ids``, in the configuration's order."""
    return [(kind.id, kind.label) for kind in config().kinds if kind.id in kind_ids]


class JourneyForm(forms.Form):
    """One question page. Subclasses set the heading and template and map draft to answers."""

    heading: ClassVar[str] = ""
    headings: ClassVar[dict[Audience, str]] = {}
    template: ClassVar[str] = ""
    summary_label: ClassVar[str] = ""
    hint: ClassVar[str] = ""
    main_field: ClassVar[str] = ""
    option_hints: ClassVar[dict[str, str]] = {}

    def __init__(
        self, *args: Any, draft: dict[str, Any], audience: Audience, **kwargs: Any
    ) -> None:
        self.draft = draft
        self.audience = audience
        super().__init__(*args, **kwargs)

    @classmethod
    def title(cls, audience: Audience) -> str:
        """The page heading (the question) for ``audience``."""
        return cls.headings.get(audience, cls.heading)

    @classmethod
    def initial_from(cls, draft: dict[str, Any]) -> dict[str, Any]:
        """The form's initial answers from the draft."""
        return {name: draft[name] for name in cls.base_fields if name in draft}

    def save(self, draft: dict[str, Any]) -> None:
        """Write the cleaned answers into the draft."""
        draft.update(self.cleaned_data)

    @classmethod
    def summary(cls, draft: dict[str, Any], audience: Audience) -> list[tuple[str, str]]:
        """(question, answer) rows for the check-answers page."""
        return []

    @classmethod
    def contribute(cls, draft: dict[str, Any], values: dict[str, Any]) -> None:
        """Add this page's answers to the keyword arguments of the ``ReportDraft``."""

    def hint_text(self) -> str:
        """The hint under the page's question."""
        return self.hint

    @property
    def main(self) -> forms.BoundField:
        """The page's main field (the question's answer)."""
        return self[self.main_field]

    def options(self) -> list[dict[str, Any]]:
        """The radios or checkboxes of the page's main field, ready to draw."""
        bound = self[self.main_field]
        value = bound.value()
        chosen = {str(item) for item in value} if isinstance(value, list) else {str(value)}
        return [
            {
                "value": str(choice),
                "label": str(label),
                "hint": self.option_hints.get(str(choice), ""),
                "id": bound.auto_id if index == 0 else f"{bound.auto_id}-{choice}",
                "checked": str(choice) in chosen,
            }
            for index, (choice, label) in enumerate(self.fields[self.main_field].choices)
        ]

    def error_links(self) -> list[tuple[str, str]]:
        """(element id, message) for the error summary, in page order."""
        links = []
        for name, field in self.fields.items():
            for error in self.errors.get(name, []):
                links.append((self[name].auto_id or f"id_{name}", str(error)))
            del field
        for error in self.non_field_errors():
            links.append((self.first_input_id(), str(error)))
        return links

    def first_input_id(self) -> str:
        """The id of the page's first input (where a page-wide error links)."""
        first = next(iter(self.fields), "")
        return self[first].auto_id if first else "main-content"

    def show_rejection(self, error: SubmissionRejectedError) -> None:
        """Show a refusal of the submission service on this page."""
        self.add_error(None, error.message[0].upper() + error.message[1:])


class KindForm(JourneyForm):
    """What kind of report: a hate incident or crime, or a community safety concern."""

    heading = "What do you want to report?"
    headings = {Audience.CENTRE: "What does the victim want to report?"}
    template = "reporting/journey_radios.html"
    main_field = "kind"
    summary_label = "What you are reporting"
    kind = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={"required": "Select what you want to report"},
    )
    KIND_IDS: ClassVar[tuple[str, ...]] = ("hate", "concern")
    option_hints = {
        "hate": "Something done or said because of who someone is, or who they are thought to be.",
        "concern": "For example anti-social behaviour, drug dealing, a worry that someone is being "
        "exploited, or a place that feels unsafe.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices(self.KIND_IDS)

    def save(self, draft: dict[str, Any]) -> None:
        """Keep the kind; a different kind forgets the category and strands chosen for the old."""
        if draft.get("kind") != self.cleaned_data["kind"]:
            for key in ("category", "strands"):
                draft.pop(key, None)
            draft["done"] = [
                slug for slug in draft.get("done", []) if slug not in ("category", "strands")
            ]
        draft["kind"] = self.cleaned_data["kind"]

    @classmethod
    def summary(cls, draft: dict[str, Any], audience: Audience) -> list[tuple[str, str]]:
        return [(cls.summary_label, config().kind(draft["kind"]).label)]

    @classmethod
    def contribute(cls, draft: dict[str, Any], values: dict[str, Any]) -> None:
        values["kind"] = draft["kind"]


class StrandsForm(JourneyForm):
    """What the hate was about: one or more strands."""

    heading = "What do you think it was about?"
    headings = {Audience.CENTRE: "What does the victim think it was about?"}
    template = "reporting/journey_checkboxes.html"
    main_field = "strands"
    hint = "Select all that apply."
    summary_label = "What it was about"
    strands = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select what you think it was about"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["strands"].choices = [(strand.id, strand.label) for strand in config().strands]

    def save(self, draft: dict[str, Any]) -> None:
        draft["strands"] = list(self.cleaned_data["strands"])

    @classmethod
    def summary(cls, draft: dict[str, Any], audience: Audience) -> list[tuple[str, str]]:
        labels = [config().strand(strand).label for strand in draft.get("strands", [])]
        return [(cls.summary_label, "; ".join(labels))]

    @classmethod
    def contribute(cls, draft: dict[str, Any], values: dict[str, Any]) -> None:
        values["strands"] = tuple(draft.get("strands", []))


class CategoryForm(JourneyForm):
    """What happened: a category of the chosen kind."""

    heading = "What happened?"
    template = "reporting/journey_radios.html"
    main_field = "category"
    summary_label = "What happened"
    category = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happened"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = config().kind(self.draft.get("kind", "concern"))
        self.fields["category"].choices = [(choice.id, choice.label) for choice in kind.categories]

    @classmethod
    def summary(cls, draft: dict[str, Any], audience: Audience) -> list[tuple[str, str]]:
        label = config().kind(draft["kind"]).category(draft["category"]).label
        return [(cls.summary_label, label)]

    @classmethod
    def contribute(cls, draft: dict[str, Any], values: dict[str, Any]) -> None:
        values["category"] = draft["category"]


class WhenForm(JourneyForm):
    """When it happened: one day, or between two dates."""

    heading = "When did it happen?"
    template = "reporting/journey_when.html"
    summary_label = "When it happened"
    when = forms.ChoiceField(
        choices=[
            (WhenMode.DAY.value, "On one day"),
            (WhenMode.RANGE.value, "Over a period of time, or I am not sure of the exact day"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether it happened on one day or over a period"},
    )
    GROUPS: ClassVar[dict[str, tuple[str, str]]] = {
        "on": ("Date it happened", "the date it happened"),
        "from": ("Start date", "the start date"),
        "to": ("End date", "the end date"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for group in self.GROUPS:
            for part in ("day", "month", "year"):
                self.fields[f"{group}_{part}"] = forms.CharField(required=False, max_length=8)
        self.problems: dict[str, DateProblem] = {}

    @classmethod
    def initial_from(cls, draft: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        if "occurred_from" not in draft:
            return initial
        start = datetime.date.fromisoformat(draft["occurred_from"])
        end = datetime.date.fromisoformat(draft["occurred_to"])
        mode = WhenMode(draft.get("when", WhenMode.DAY))
        initial["when"] = mode.value
        groups = {"on": start} if mode is WhenMode.DAY else {"from": start, "to": end}
        for group, value in groups.items():
            initial.update(
                {
                    f"{group}_day": value.day,
                    f"{group}_month": value.month,
                    f"{group}_year": value.year,
                }
            )
        return initial

    def _date(self, group: str) -> datetime.date | None:
        what = self.GROUPS[group][1]
        parsed = parse_date_parts(
            day=self.cleaned_data.get(f"{group}_day", ""),
            month=self.cleaned_data.get(f"{group}_month", ""),
            year=self.cleaned_data.get(f"{group}_year", ""),
            what=what,
        )
        if isinstance(parsed, DateProblem):
            self._problem(group, parsed)
            return None
        today = timezone.localdate()
        if parsed > today:
            self._problem(
                group,
                DateProblem(
                    f"{what.capitalize()} must be today or in the past", ("day", "month", "year")
                ),
            )
            return None
        oldest = today.replace(year=today.year - OLDEST_REPORTABLE_YEARS)
        if parsed < oldest:
            self._problem(
                group,
                DateProblem(
                    f"{what.capitalize()} must be within the last {OLDEST_REPORTABLE_YEARS} "
                    "years: for anything older, call the police on 101",
                    ("day", "month", "year"),
                ),
            )
            return None
        return parsed

    def _problem(self, group: str, problem: DateProblem) -> None:
        self.problems[group] = problem
        self.add_error(f"{group}_{problem.parts[0]}", problem.message)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        mode = cleaned.get("when")
        if mode == WhenMode.DAY:
            day = self._date("on")
            if day is not None:
                cleaned["occurred_from"] = cleaned["occurred_to"] = day
        elif mode == WhenMode.RANGE:
            start, end = self._date("from"), self._date("to")
            if start is not None and end is not None:
                if end < start:
                    self._problem(
                        "to",
                        DateProblem(
                            "The end date must be the same as or after the start date",
                            ("day", "month", "year"),
                        ),
                    )
                else:
                    cleaned["occurred_from"], cleaned["occurred_to"] = start, end
        return cleaned

    def date_group(self, group: str) -> dict[str, Any]:
        """What the template needs to draw one date input: legend, error, the three boxes."""
        problem = self.problems.get(group)
        legend = self.GROUPS[group][0]
        boxes = []
        for part, label, width in (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4)):
            name = f"{group}_{part}"
            boxes.append(
                {
                    "name": name,
                    "id": f"id_{name}",
                    "label": label,
                    "width": width,
                    "value": self[name].value() or "",
                    "error": problem is not None and part in problem.parts,
                }
            )
        return {
            "group": group,
            "legend": legend,
            "error": problem.message if problem else "",
            "boxes": boxes,
        }

    def date_groups(self) -> dict[str, dict[str, Any]]:
        """Every date input of the page, by group."""
        return {group: self.date_group(group) for group in self.GROUPS}

    def error_links(self) -> list[tuple[str, str]]:
        links = [("id_when", str(error)) for error in self.errors.get("when", [])]
        for group, problem in self.problems.items():
            links.append((f"id_{group}_{problem.parts[0]}", problem.message))
        links += [(self.first_input_id(), str(error)) for error in self.non_field_errors()]
        return links

    def save(self, draft: dict[str, Any]) -> None:
        draft["when"] = self.cleaned_data["when"]
        draft["occurred_from"] = self.cleaned_data["occurred_from"].isoformat()
        draft["occurred_to"] = self.cleaned_data["occurred_to"].isoformat()

    @classmethod
    def summary(cls, draft: dict[str, Any], audience: Audience) -> list[tuple[str, str]]:
        start = datetime.date.fromisoformat(draft["occurred_from"])
        end = datetime.date.fromisoformat(draft["occurred_to"])
        text = f"{start:%-d %B %Y}"
        if draft.get("when") == WhenMode.RANGE:
            text = f"Between {start:%-d %B %Y} and {end:%-d %B %Y}"
        return [(cls.summary_label, text)]

    @classmethod
    def contribute(cls, draft: dict[str, Any], values: dict[str, Any]) -> None:
        values["occurred_from"] = datetime.date.fromisoformat(draft["occurred_from"])
        values["occurred_to"] = datetime.date.fromisoformat(draft["occurred_to"])


def _coordinate(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class WhereForm(JourneyForm):
    """Where it happened: a place or street name, a point on the map, online, or not said."""

    heading = "Where did it happen?"
    template = "reporting/journey_where.html"
    summary_label = "Where it happened"
    where = forms.ChoiceField(
        choices=[
            (WhereMode.PLACE.value, "At a place in the area"),
            (WhereMode.ONLINE.value, "It happened online"),
            (WhereMode.NOT_SAID.value, "I would rather not say where"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select where it happened"},
    )
    place = forms.CharField(
        required=False,
        max_length=MAX_TEXT_FIELD,
        error_messages={"max_length": "The place name must be 200 characters or fewer"},
    )
    latitude = forms.CharField(required=False, max_length=30)
    longitude = forms.CharField(required=False, max_length=30)

    @classmethod
    def initial_from(cls, draft: dict[str, Any]) -> dict[str, Any]:
        initial = {
            "where": draft.get("where"),
            "place": draft.get("place_query", ""),
        }
        if draft.get("point_from_map"):
            initial["latitude"] = draft.get("latitude", "")
            initial["longitude"] = draft.get("longitude", "")
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("where") != WhereMode.PLACE:
            return cleaned
        place = " ".join(str(cleaned.get("place", "")).split())
        cleaned["place"] = place
        latitude = _coordinate(str(cleaned.get("latitude", "")).strip())
        longitude = _coordinate(str(cleaned.get("longitude", "")).strip())
        cleaned["point"] = None
        if latitude is not None and longitude is not None:
            boundaries = current_boundaries()
            placed = (
                core_gateway.place_point(
                    boundaries_key=boundaries[0],
                    boundaries=boundaries[1],
                    latitude=latitude,
                    longitude=longitude,
                )
                if boundaries is not None
                else {"area_code": ""}
            )
            if not placed["area_code"]:
                self.add_error(
                    "place",
                    "The point you chose on the map is outside the area: choose a point inside "
                    "the outline, or type a place or street name",
                )
                return cleaned
            cleaned["point"] = (latitude, longitude)
            cleaned["ward_name"] = area_name(code=placed.get("ward_code", ""))
        elif not place and "place" not in self.errors:
            self.add_error("place", "Enter a place or street name, or choose a point on the map")
        return cleaned

    def error_links(self) -> list[tuple[str, str]]:
        links = [("id_where", str(error)) for error in self.errors.get("where", [])]
        links += [("id_place", str(error)) for error in self.errors.get("place", [])]
        links += [("id_where", str(error)) for error in self.non_field_errors()]
        return links

    def save(self, draft: dict[str, Any]) -> None:
        mode = WhereMode(self.cleaned_data["where"])
        draft["where"] = mode.value
        for key in (
            "latitude",
            "longitude",
            "place_name",
            "place_query",
            "point_from_map",
            "ward_name",
        ):
            draft.pop(key, None)
        draft["done"] = [slug for slug in draft.get("done", []) if slug != "place"]
        if mode is not WhereMode.PLACE:
            return
        draft["place_query"] = self.cleaned_data["place"]
        point = self.cleaned_data.get("point")
        if point is not None:
            draft["latitude"], draft["longitude"] = point
            draft["place_name"] = self.cleaned_data["place"]
            draft["point_from_map"] = True
            draft["ward_name"] = self.cleaned_data.get("ward_name", "")

    @classmethod
    def summary(cls, draft: dict[str, Any], audience: Audience) -> list[tuple[str, str]]:
        mode = WhereMode(draft["where"])
        if mode is WhereMode.ONLINE:
            return [(cls.summary_label, "Online")]
        if mode is WhereMode.NOT_SAID:
            return [(cls.summary_label, "Not given")]
        parts = [draft.get("place_name", "")]
        if draft.get("point_from_map"):
            ward = draft.get("ward_name", "")
            parts.append(f"a point on the map in {ward}" if ward else "a point on the map")
        elif draft.get("latitude") is None:
            parts.append("(no point on the map)")
        return [(cls.summary_label, " – ".join(part for part in parts if part))]

    @classmethod
    def contribute(cls, draft: dict[str, Any], values: dict[str, Any]) -> None:
        mode = WhereMode(draft["where"])
        values["online"] = mode is WhereMode.ONLINE
        if mode is WhereMode.PLACE:
            values["place_name"] = draft.get("place_name", "")
            values["latitude"] = draft.get("latitude")
            values["longitude"] = draft.get("longitude")


KEEP_WORDS = "keep"


class PlaceForm(JourneyForm):
    """Which of the area's places matching the typed name is meant (or keep the words)."""

    heading = "Which place do you mean?"
    template = "reporting/journey_radios.html"
    main_field = "place"
    place = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={"required": "Select the place you mean, or keep what you typed"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.matches: list[PlaceMatch] = matching_places(query=self.draft.get("place_query", ""))
        choices = [(match.area_code, match.name) for match in self.matches]
        choices.append((KEEP_WORDS, "None of these – keep what I typed without a map point"))
        self.fields["place"].choices = choices

    @classmethod
    def initial_from(cls, draft: dict[str, Any]) -> dict[str, Any]:
        return {"place": draft.get("place_code", KEEP_WORDS if "place_name" in draft else None)}

    def hint_text(self) -> str:
        """What was typed, and how many places match it."""
        typed = self.draft.get("place_query", "")
        if not self.matches:
            return (
                f"No ward or neighbourhood of the area is called ‘{typed}’. You can keep what "
                "you typed (the report will have no map point), or go back and try another name."
            )
        return f"Places in the area that match ‘{typed}’."

    def options(self) -> list[dict[str, Any]]:
        """The radios: each match with what kind of area it is, then 'keep what I typed'."""
        options = super().options()
        levels = {match.area_code: match.level_words for match in self.matches}
        for option in options:
            option["hint"] = (
                f"A {levels[option['value']]}"
                if option["value"] in levels
                else "We will keep the place as you wrote it."
            )
        return options

    def save(self, draft: dict[str, Any]) -> None:
        chosen = self.cleaned_data["place"]
        typed = draft.get("place_query", "")
        for match in self.matches:
            if match.area_code == chosen:
                draft["latitude"], draft["longitude"] = match.latitude, match.longitude
                draft["place_code"] = match.area_code
                draft["place_name"] = (
                    typed
                    if typed.casefold() == match.name.casefold()
                    else f"{typed} ({match.name})"
                )
                return
        draft.pop("latitude", None)
        draft.pop("longitude", None)
        draft["place_code"] = KEEP_WORDS
        draft["place_name"] = typed


class DescriptionForm(JourneyForm):
    """What happened, in the reporter's words (optional)."""

    heading = "Tell us what happened (optional)"
    headings = {Audience.CENTRE: "What happened, in the victim's words (optional)"}
    template = "reporting/journey_text.html"
    summary_label = "What happened, in your words"
    field_name: ClassVar[str] = "description"
    main_field = "description"
    hint: ClassVar[str] = (
        "Include anything that would help us understand it: what was said or done, and how "
        "often. Do not include your name or contact details here."
    )
    description = forms.CharField(required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = config().abuse.max_description_characters
        field = self.fields[self.field_name]
        field.max_length = limit
        field.validators.append(MaxLengthValidator(limit))
        field.error_messages["max_length"] = (
            f"{self.summary_label.split(',')[0].capitalize()} must be {limit} characters or fewer"
        )
        self.limit = limit

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.field_name in cleaned:
            cleaned[self.field_name] = cleaned[self.field_name].strip()
        return cleaned

    @classmethod
    def initial_from(cls, draft: dict[str, Any]) -> dict[str, Any]:
        return {cls.field_name: draft.get(cls.field_name, "")}

    @classmethod
    def summary(cls, draft: dict[str, Any], audience: Audience) -> list[tuple[str, str]]:
        label = cls.summary_label
        if audience is Audience.CENTRE and cls.field_name == "description":
            label = "What happened, in the victim's words"
        return [(label, draft.get(cls.field_name, "") or NOT_GIVEN)]

    @classmethod
    def contribute(cls, draft: dict[str, Any], values: dict[str, Any]) -> None:
        values[cls.field_name] = draft.get(cls.field_name, "")


class TargetedForm(DescriptionForm):
    """Who was targeted (optional)."""

    heading = "Who was targeted? (optional)"
    headings = {}
    summary_label = "Who was targeted"
    field_name = "targeted"
    main_field = "targeted"
    hint = (
        "For example you, someone you know, a group of people, a place of worship or a "
        "business. You do not need to give names."
    )
    description = None  # type: ignore[assignment]
    targeted = forms.CharField(required=False, widget=forms.Textarea)


class OffenderForm(DescriptionForm):
    """A description of the offender (optional; seen only by the partnership)."""

    heading = "Describe the offender (optional)"
    headings = {}
    summary_label = "The offender"
    field_name = "offender_description"
    main_field = "offender_description"
    hint = (
        "For example their height, clothing and anything distinctive. Only the partnership's "
        "staff see this; it is never made public and is deleted when the report's retention "
        "period ends."
    )
    description = None  # type: ignore[assignment]
    offender_description = forms.CharField(required=False, widget=forms.Textarea)


class LossesForm(JourneyForm):
    """Losses in pounds (optional; business reports)."""

    heading = "How much did the business lose? (optional)"
    template = "reporting/journey_losses.html"
    summary_label = "Losses"
    losses = forms.CharField(required=False, max_length=30)

    @classmethod
    def initial_from(cls, draft: dict[str, Any]) -> dict[str, Any]:
        return {"losses": draft.get("losses_pounds", "")}

    def clean_losses(self) -> Decimal | None:
        """The amount in pounds: digits, an optional £, commas between thousands, pence."""
        text = self.cleaned_data["losses"].strip().replace(" ", "")
        if not text:
            return None
        if not re.fullmatch(r"£?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?", text):
            raise forms.ValidationError(
                "Enter the losses as an amount in pounds, like 250 or 1,250.50"
            )
        try:
            amount = Decimal(text.lstrip("£").replace(",", ""))
        except InvalidOperation as error:
            raise forms.ValidationError(
                "Enter the losses as an amount in pounds, like 250 or 1,250.50"
            ) from error
        if amount >= MAX_LOSSES:
            raise forms.ValidationError("The losses must be less than £10,000,000")
        return amount.quantize(Decimal("0.01"))

    def save(self, draft: dict[str, Any]) -> None:
        amount = self.cleaned_data["losses"]
        draft["losses_pounds"] = "" if amount is None else str(amount)

    @classmethod
    def summary(cls, draft: dict[str, Any], audience: Audience) -> list[tuple[str, str]]:
        amount = draft.get("losses_pounds", "")
        return [(cls.summary_label, f"£{Decimal(amount):,.2f}" if amount else NOT_GIVEN)]

    @classmethod
    def contribute(cls, draft: dict[str, Any], values: dict[str, Any]) -> None:
        amount = draft.get("losses_pounds", "")
        values["losses_pounds"] = Decimal(amount) if amount else None


class ContactForm(JourneyForm):
    """Whether to be contacted, the details, and consent to use them (all optional)."""

    heading = "Do you want us to contact you about this report?"
    headings = {Audience.CENTRE: "The victim's contact details"}
    template = "reporting/journey_contact.html"
    summary_label = "Contact"
    contact = forms.ChoiceField(
        choices=[(ContactChoice.YES.value, "Yes"), (ContactChoice.NO.value, "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if you want us to contact you"},
    )
    name = forms.CharField(
        required=False,
        max_length=MAX_TEXT_FIELD,
        error_messages={"max_length": "The name must be 200 characters or fewer"},
    )
    email = forms.CharField(
        required=False,
        max_length=254,
        error_messages={"max_length": "The email address must be 254 characters or fewer"},
    )
    phone = forms.CharField(
        required=False,
        max_length=30,
        error_messages={"max_length": "The phone number must be 30 characters or fewer"},
    )
    consent = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.audience is Audience.CENTRE:
            self.fields["contact"].required = False

    def first_input_id(self) -> str:
        """The yes/no question, or (reporting centres, who are not asked it) the email box."""
        return "id_email" if self.audience is Audience.CENTRE else "id_contact"

    @classmethod
    def initial_from(cls, draft: dict[str, Any]) -> dict[str, Any]:
        details = draft.get("contact_details", {})
        return {
            "contact": draft.get("contact"),
            "name": details.get("name", ""),
            "email": details.get("email", ""),
            "phone": details.get("phone", ""),
            "consent": draft.get("contact_consent", False),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        wanted = cleaned.get("contact") == ContactChoice.YES or self.audience is Audience.CENTRE
        if not wanted:
            return cleaned
        email = str(cleaned.get("email", "")).strip()
        phone = str(cleaned.get("phone", "")).strip()
        cleaned["email"], cleaned["phone"] = email, phone
        if email and "email" not in self.errors:
            try:
                EmailValidator()(email)
            except forms.ValidationError:
                self.add_error(
                    "email", "Enter an email address in the correct format, like name@example.com"
                )
        if phone and not re.fullmatch(r"\+?[0-9 ()-]{7,30}", phone):
            self.add_error("phone", "Enter a phone number, like 01632 960 001 or 07700 900 982")
        if not email and not phone and "email" not in self.errors:
            self.add_error("email", "Enter an email address or a phone number")
        if self.audience is not Audience.CENTRE and not cleaned.get("consent"):
            self.add_error(
                "consent", "Tick the box to agree that we may use these details to contact you"
            )
        return cleaned

    def save(self, draft: dict[str, Any]) -> None:
        if self.audience is Audience.CENTRE:
            draft["contact"] = ContactChoice.YES.value
            draft["contact_consent"] = True
        else:
            draft["contact"] = self.cleaned_data["contact"]
            draft["contact_consent"] = bool(self.cleaned_data.get("consent"))
        if draft["contact"] == ContactChoice.NO:
            draft["contact_details"] = {}
            draft["contact_consent"] = False
            return
        draft["contact_details"] = {
            key: str(self.cleaned_data.get(key, "")).strip()
            for key in ("name", "email", "phone")
            if str(self.cleaned_data.get(key, "")).strip()
        }

    @classmethod
    def summary(cls, draft: dict[str, Any], audience: Audience) -> list[tuple[str, str]]:
        details = draft.get("contact_details", {})
        if not details:
            return [(cls.summary_label, "No contact – the report is anonymous")]
        text = ", ".join(details[key] for key in ("name", "email", "phone") if key in details)
        return [(cls.summary_label, text)]

    @classmethod
    def contribute(cls, draft: dict[str, Any], values: dict[str, Any]) -> None:
        details = draft.get("contact_details", {})
        if details:
            values["contact"] = dict(details)
            values["contact_consent"] = bool(draft.get("contact_consent"))


def stored_photos(draft: dict[str, Any]) -> list[CleanImage]:
    """The draft's cleaned photos (kept encrypted in the session)."""
    return [
        CleanImage(
            content_type=photo["content_type"],
            data=decrypt_bytes(base64.b64decode(photo["data"]), purpose=Purpose.PERSONAL_DATA),
        )
        for photo in draft.get("photos", [])
    ]


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that takes several files."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploaded files; each is checked by :func:`clean_image`, not here."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        """The uploaded files as a list (empty when none was chosen)."""
        if not data:
            return []
        files = data if isinstance(data, (list, tuple)) else [data]
        return [upload for upload in files if upload]


class PhotosForm(JourneyForm):
    """Photos (optional): image types only, checked and stripped of metadata on upload."""

    heading = "Add photos (optional)"
    headings = {Audience.BUSINESS: "Add an image of the offender or the damage (optional)"}
    template = "reporting/journey_photos.html"
    summary_label = "Photos"
    photos = MultipleFileField(required=False)
    remove = forms.BooleanField(required=False)

    @classmethod
    def initial_from(cls, draft: dict[str, Any]) -> dict[str, Any]:
        return {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        rules = config().attachments
        uploads = list(cleaned.get("photos") or [])
        kept = 0 if cleaned.get("remove") else len(self.draft.get("photos", []))
        if kept + len(uploads) > rules.max_per_report:
            self.add_error("photos", f"You can add up to {rules.max_per_report} photos to a report")
            return cleaned
        images = []
        for upload in uploads:
            try:
                if upload.size is not None and upload.size > rules.max_bytes:
                    raise AttachmentRejectedError(
                        f"‘{upload.name}’ is larger than {rules.max_bytes // (1024 * 1024)} MB: "
                        "choose a smaller one"
                    )
                data = read_capped(stream=upload, max_bytes=rules.max_bytes)
                images.append(clean_image(data=data, name=str(upload.name)))
            except AttachmentRejectedError as error:
                self.add_error("photos", str(error))
        cleaned["images"] = images
        return cleaned

    def save(self, draft: dict[str, Any]) -> None:
        photos = [] if self.cleaned_data.get("remove") else list(draft.get("photos", []))
        for image in self.cleaned_data.get("images", []):
            sealed = encrypt_bytes(image.data, purpose=Purpose.PERSONAL_DATA)
            photos.append(
                {"content_type": image.content_type, "data": base64.b64encode(sealed).decode()}
            )
        draft["photos"] = photos

    def hint_text(self) -> str:
        """What may be uploaded."""
        rules = config().attachments
        return (
            f"Up to {rules.max_per_report} photos, each a {accepted_types_words()} image of up "
            f"to {rules.max_bytes // (1024 * 1024)} MB. We remove the location and any other "
            "details stored inside a photo. Photos are only seen by the partnership's staff."
        )

    @classmethod
    def summary(cls, draft: dict[str, Any], audience: Audience) -> list[tuple[str, str]]:
        count = len(draft.get("photos", []))
        return [
            (cls.summary_label, f"{count} photo{'s' if count != 1 else ''}" if count else "None")
        ]

    @classmethod
    def contribute(cls, draft: dict[str, Any], values: dict[str, Any]) -> None:
        values["attachments"] = tuple(stored_photos(draft))


class VictimConsentForm(JourneyForm):
    """Reporting centres: the victim's consent to the report (required)."""

    heading = "Has the victim agreed to you making this report?"
    template = "reporting/journey_radios.html"
    main_field = "agreed"
    summary_label = "Victim agreed to the report"
    agreed = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the victim agreed to the report"},
    )
    hint = "You can only report on a victim's behalf with their agreement."

    @classmethod
    def initial_from(cls, draft: dict[str, Any]) -> dict[str, Any]:
        return {"agreed": "yes" if draft.get("victim_agreed") else None}

    def clean_agreed(self) -> str:
        """Only 'yes' can go on."""
        agreed = str(self.cleaned_data["agreed"])
        if agreed != "yes":
            raise forms.ValidationError(
                "You can only report on the victim's behalf if they agree. They can report "
                "themselves, without giving their name, at /report/"
            )
        return agreed

    def save(self, draft: dict[str, Any]) -> None:
        draft["victim_agreed"] = True

    @classmethod
    def summary(cls, draft: dict[str, Any], audience: Audience) -> list[tuple[str, str]]:
        return [(cls.summary_label, "Yes")]

    @classmethod
    def contribute(cls, draft: dict[str, Any], values: dict[str, Any]) -> None:
        consent = values.setdefault("victim_consent", {})
        consent["consent_to_report"] = True


class SharingForm(JourneyForm):
    """Reporting centres: what the victim agreed to share."""

    heading = "What has the victim agreed to share?"
    template = "reporting/journey_checkboxes.html"
    main_field = "share"
    summary_label = "Victim agreed to share"
    hint = (
        "Select all that apply. Leave all unticked if they only agreed to a report of what "
        "kind of incident it was, when and where."
    )
    share = forms.MultipleChoiceField(
        choices=[(value.value, label) for value, label in SHARING_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    @classmethod
    def initial_from(cls, draft: dict[str, Any]) -> dict[str, Any]:
        return {"share": draft.get("share", [])}

    def save(self, draft: dict[str, Any]) -> None:
        draft["share"] = list(self.cleaned_data["share"])

    @classmethod
    def summary(cls, draft: dict[str, Any], audience: Audience) -> list[tuple[str, str]]:
        labels = [SHARING_LABELS[Sharing(value)] for value in draft.get("share", [])]
        return [(cls.summary_label, "; ".join(labels) or "Only the kind, time and place")]

    @classmethod
    def contribute(cls, draft: dict[str, Any], values: dict[str, Any]) -> None:
        consent = values.setdefault("victim_consent", {})
        shared = set(draft.get("share", []))
        consent["share_description"] = Sharing.DESCRIPTION in shared
        consent["share_contact_details"] = Sharing.CONTACT in shared
        consent["share_with_police"] = Sharing.POLICE in shared


class VictimContactForm(JourneyForm):
    """Reporting centres: whether the victim may be contacted, and how."""

    heading = "May the partnership contact the victim?"
    template = "reporting/journey_victim_contact.html"
    summary_label = "Victim may be contacted"
    may_contact = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the victim may be contacted"},
    )
    how = forms.MultipleChoiceField(
        choices=[(value.value, label) for value, label in CONTACT_METHOD_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    @classmethod
    def initial_from(cls, draft: dict[str, Any]) -> dict[str, Any]:
        if "may_contact" not in draft:
            return {}
        return {
            "may_contact": "yes" if draft["may_contact"] else "no",
            "how": draft.get("contact_by", []),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("may_contact") == "yes" and not cleaned.get("how"):
            self.add_error("how", "Select how the victim may be contacted")
        shared = set(self.draft.get("share", []))
        direct = {ContactMethod.PHONE.value, ContactMethod.EMAIL.value}
        if (
            cleaned.get("may_contact") == "yes"
            and direct & set(cleaned.get("how", []))
            and Sharing.CONTACT not in shared
        ):
            self.add_error(
                "how",
                "The victim did not agree to share their contact details: choose "
                "‘Through the reporting centre’, or change what they agreed to share",
            )
        return cleaned

    def save(self, draft: dict[str, Any]) -> None:
        draft["may_contact"] = self.cleaned_data["may_contact"] == "yes"
        draft["contact_by"] = list(self.cleaned_data["how"]) if draft["may_contact"] else []

    @classmethod
    def summary(cls, draft: dict[str, Any], audience: Audience) -> list[tuple[str, str]]:
        if not draft.get("may_contact"):
            return [(cls.summary_label, "No")]
        labels = [CONTACT_METHOD_LABELS[ContactMethod(value)] for value in draft["contact_by"]]
        return [(cls.summary_label, "Yes: " + "; ".join(labels))]

    @classmethod
    def contribute(cls, draft: dict[str, Any], values: dict[str, Any]) -> None:
        consent = values.setdefault("victim_consent", {})
        consent["may_contact"] = bool(draft.get("may_contact"))
        consent["contact_by"] = list(draft.get("contact_by", []))
        values["contact_consent"] = bool(draft.get("may_contact"))


class CheckForm(forms.Form):
    """The submit button of the check-answers page, with the honeypot field."""

    website = forms.CharField(required=False, max_length=500)
