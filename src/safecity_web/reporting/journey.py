"""The report journeys as steps: which question comes next, and the draft kept in the session.

A :class:`Journey` is an ordered list of :class:`Step` s (one question page each, a form of
``forms_public.py``); a step may apply only to some answers (the strands page only to hate
reports). The answers so far are a draft kept in the reporter's session (no account needed):
:func:`load_draft` / :func:`store_draft`. The public, reporting-centre and business journeys are
three lists of the same steps, so they share one set of views (``views_public.py``).

The question-page pattern follows the GOV.UK Service Manual ("Structuring forms": one thing per
page, check answers before submitting): https://www.gov.uk/service-manual/design/form-structure
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from safecity_web.reporting import forms_public as pages
from safecity_web.reporting.forms_public import Audience, JourneyForm, Sharing, WhereMode
from safecity_web.reporting.models import Channel
from safecity_web.reporting.submission import ReportDraft

Draft = dict[str, Any]


def always(draft: Draft) -> bool:
    """A step every report goes through."""
    return True


def is_hate(draft: Draft) -> bool:
    """Hate reports name strands."""
    return draft.get("kind") == "hate"


def needs_place_choice(draft: Draft) -> bool:
    """A typed place name without a map point: choose among the area's matching places."""
    return (
        draft.get("where") == WhereMode.PLACE
        and bool(draft.get("place_query"))
        and not draft.get("point_from_map")
    )


def victim_shares_description(draft: Draft) -> bool:
    """The victim agreed to share what happened in their words."""
    return Sharing.DESCRIPTION in draft.get("share", [])


def victim_contact_details_wanted(draft: Draft) -> bool:
    """The victim may be contacted directly and agreed to share their contact details."""
    direct = {pages.ContactMethod.PHONE.value, pages.ContactMethod.EMAIL.value}
    return (
        bool(draft.get("may_contact"))
        and bool(direct & set(draft.get("contact_by", [])))
        and Sharing.CONTACT in draft.get("share", [])
    )


@dataclass(frozen=True, slots=True)
class Step:
    """One question page: its URL slug, its form, and when it applies."""

    slug: str
    form: type[JourneyForm]
    applies: Callable[[Draft], bool] = always


class JourneyId(enum.StrEnum):
    """The three journeys (also the URL names' prefix: ``reporting:public-step``...)."""

    PUBLIC = "public"
    CENTRE = "centre"
    BUSINESS = "business"


@dataclass(frozen=True, slots=True)
class Journey:
    """An ordered list of steps, the channel its reports come by, and answers fixed up front."""

    id: JourneyId
    audience: Audience
    channel: Channel
    steps: tuple[Step, ...]
    fixed: tuple[tuple[str, Any], ...] = ()

    @property
    def session_key(self) -> str:
        """Where the draft is kept in the session."""
        return f"reporting-draft-{self.id.value}"

    def step(self, slug: str) -> Step | None:
        """The step called ``slug``, or None."""
        return next((step for step in self.steps if step.slug == slug), None)

    def applicable(self, draft: Draft) -> list[Step]:
        """The steps that apply to the answers so far, in order."""
        return [step for step in self.steps if step.applies(draft)]

    def first_unanswered(self, draft: Draft) -> Step | None:
        """The first applicable step not yet answered (None: ready to check)."""
        done = set(draft.get("done", []))
        return next((step for step in self.applicable(draft) if step.slug not in done), None)

    def after(self, draft: Draft, *, slug: str) -> Step | None:
        """The applicable step after ``slug`` (None: the check-answers page comes next)."""
        steps = self.applicable(draft)
        slugs = [step.slug for step in steps]
        if slug not in slugs:
            return self.first_unanswered(draft)
        following = steps[slugs.index(slug) + 1 :]
        return following[0] if following else None

    def before(self, draft: Draft, *, slug: str) -> Step | None:
        """The applicable step before ``slug`` (None: the journey's start page)."""
        steps = self.applicable(draft)
        slugs = [step.slug for step in steps]
        if slug not in slugs or slugs.index(slug) == 0:
            return None
        return steps[slugs.index(slug) - 1]

    def new_draft(self) -> Draft:
        """An empty draft with this journey's fixed answers."""
        return {"done": [], **dict(self.fixed)}

    def report_draft(self, draft: Draft) -> ReportDraft:
        """The :class:`ReportDraft` the answers of the applicable steps make."""
        values: dict[str, Any] = dict(self.fixed)
        for step in self.applicable(draft):
            step.form.contribute(draft, values)
        return ReportDraft(**values)

    def step_for_field(self, field_name: str) -> Step | None:
        """The step that asks what a ``SubmissionRejectedError`` names (None: not asked)."""
        slug = REJECTED_FIELD_STEPS.get(field_name, "")
        return self.step(slug)


REJECTED_FIELD_STEPS = {
    "kind": "kind",
    "category": "category",
    "strands": "strands",
    "occurred": "when",
    "location": "where",
    "description": "description",
    "targeted": "targeted",
    "offender_description": "offender",
    "losses_pounds": "losses",
    "attachments": "photos",
    "contact": "contact",
}
"""``SubmissionRejectedError.field_name`` -> the slug of the step that asks it."""

KIND = Step("kind", pages.KindForm)
STRANDS = Step("strands", pages.StrandsForm, is_hate)
CATEGORY = Step("category", pages.CategoryForm)
WHEN = Step("when", pages.WhenForm)
WHERE = Step("where", pages.WhereForm)
PLACE = Step("place", pages.PlaceForm, needs_place_choice)
TARGETED = Step("targeted", pages.TargetedForm)
PHOTOS = Step("photos", pages.PhotosForm)

PUBLIC = Journey(
    id=JourneyId.PUBLIC,
    audience=Audience.PUBLIC,
    channel=Channel.PUBLIC_FORM,
    steps=(
        KIND,
        STRANDS,
        CATEGORY,
        WHEN,
        WHERE,
        PLACE,
        Step("description", pages.DescriptionForm),
        TARGETED,
        Step("contact", pages.ContactForm),
        PHOTOS,
    ),
)
CENTRE = Journey(
    id=JourneyId.CENTRE,
    audience=Audience.CENTRE,
    channel=Channel.REPORTING_CENTRE,
    steps=(
        Step("consent", pages.VictimConsentForm),
        Step("sharing", pages.SharingForm),
        KIND,
        STRANDS,
        CATEGORY,
        WHEN,
        WHERE,
        PLACE,
        Step("description", pages.DescriptionForm, victim_shares_description),
        TARGETED,
        Step("victim-contact", pages.VictimContactForm),
        Step("contact", pages.ContactForm, victim_contact_details_wanted),
        PHOTOS,
    ),
)
BUSINESS = Journey(
    id=JourneyId.BUSINESS,
    audience=Audience.BUSINESS,
    channel=Channel.BUSINESS,
    steps=(
        CATEGORY,
        WHEN,
        WHERE,
        PLACE,
        Step("description", pages.DescriptionForm),
        Step("losses", pages.LossesForm),
        Step("offender", pages.OffenderForm),
        PHOTOS,
    ),
    fixed=(("kind", "business"),),
)
JOURNEYS = {journey.id: journey for journey in (PUBLIC, CENTRE, BUSINESS)}


def load_draft(request: HttpRequest, *, journey: Journey) -> Draft:
    """The journey's draft from the session (a new one when there is none)."""
    stored = request.session.get(journey.session_key)
    if not isinstance(stored, dict):
        return journey.new_draft()
    draft = dict(stored)
    draft.update(dict(journey.fixed))
    return draft


def store_draft(request: HttpRequest, *, journey: Journey, draft: Draft) -> None:
    """Keep the draft in the session."""
    request.session[journey.session_key] = draft


def forget_draft(request: HttpRequest, *, journey: Journey) -> None:
    """Drop the draft (after submitting it)."""
    request.session.pop(journey.session_key, None)


def mark_answered(draft: Draft, *, slug: str) -> None:
    """Record that the step ``slug`` has been answered."""
    done = [answered for answered in draft.get("done", []) if answered != slug]
    draft["done"] = [*done, slug]
