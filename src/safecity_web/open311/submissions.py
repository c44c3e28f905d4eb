"""A GeoReport v2 ``POST requests`` form turned into a community report.

What is taken from the form (``application/x-www-form-urlencoded``, as the specification says):

- ``service_code`` (required) decides the report's kind and, for most services, its category;
- the place: ``lat`` and ``long`` (WGS84), or ``address_string`` naming a ward or neighbourhood
  of the published area (its point is used; the words sent are kept, encrypted, with the
  description); ``address_id`` is not supported (no address register);
- ``attribute[strands][]``, ``attribute[category]``, ``attribute[when]``,
  ``attribute[contact_consent]`` as the service definition says;
- ``description`` (at most 4,000 characters, as the specification says), encrypted;
- ``email``, ``phone``, ``first_name``, ``last_name``: kept (encrypted) only when
  ``attribute[contact_consent]=true``, otherwise not stored at all;
- ``media_url`` is ignored: the site never fetches a link, so it is neither followed nor kept,
  and the answer's ``service_notice`` says so; ``device_id`` and ``account_id`` are not kept.

References
----------
Open311 GeoReport v2 specification, "POST Service Request".
"""

from __future__ import annotations

import datetime
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import QueryDict
from django.utils import timezone

from safecity_web.open311.errors import bad_request
from safecity_web.open311.places import place_named_in
from safecity_web.open311.services import AttributeCode, attributes, service
from safecity_web.reporting.submission import ReportDraft

MAX_DESCRIPTION_CHARACTERS = 4000
"""The specification's limit on ``description``."""
MAX_ADDRESS_CHARACTERS = 500
CONTACT_FIELDS = {"email": 254, "phone": 40, "first_name": 100, "last_name": 100}
"""Contact fields and their longest accepted length."""
ATTRIBUTE_FIELD = re.compile(r"^attribute\[(?P<code>[^\[\]]+)\](?P<many>\[\])?$")
TRUE_WORDS = {"true", "1", "yes"}
FALSE_WORDS = {"false", "0", "no", ""}
SUBMISSION_FIELD_NAMES = {
    "kind": "service_code",
    "category": f"attribute[{AttributeCode.CATEGORY}]",
    "strands": f"attribute[{AttributeCode.STRANDS}]",
    "occurred": f"attribute[{AttributeCode.WHEN}]",
    "description": "description",
}
"""The Open311 field behind each field :func:`submit_report` may refuse."""


@dataclass(frozen=True, slots=True)
class OpenDraft:
    """A report read from the form, and what the answer should tell the app about it."""

    service_code: str
    draft: ReportDraft
    contact_dropped: bool
    media_url_ignored: bool


def open311_field(submission_field: str, *, located_by_address: bool) -> str:
    """The form field to name for a field the submission service refused."""
    if submission_field == "location":
        return "address_string" if located_by_address else "lat"
    return SUBMISSION_FIELD_NAMES.get(submission_field, submission_field)


def _attribute_values(form: QueryDict) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for name in form:
        match = ATTRIBUTE_FIELD.match(name)
        if match is None:
            if name.startswith("attribute"):
                raise bad_request(
                    field_name=name,
                    message="attributes are sent as attribute[code]=value (attribute[code][]="
                    "value for each of several values)",
                )
            continue
        found[match["code"]].extend(value.strip() for value in form.getlist(name))
    return dict(found)


def _number(form: QueryDict, name: str, *, low: float, high: float) -> float:
    text = form.get(name, "").strip()
    try:
        value = float(text)
    except ValueError:
        raise bad_request(
            field_name=name, message=f"must be a number (WGS84 degrees), got {text!r}"
        ) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise bad_request(field_name=name, message=f"must be between {low:g} and {high:g}")
    return value


def _when(values: list[str]) -> datetime.date:
    field_name = f"attribute[{AttributeCode.WHEN}]"
    if not values or not values[-1]:
        return timezone.localdate()
    text = values[-1]
    try:
        if len(text) == 10:
            return datetime.date.fromisoformat(text)
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise bad_request(
            field_name=field_name,
            message=f"{text!r} is not an ISO 8601 date (2026-05-01) or date and time "
            "(2026-05-01T18:30:00+01:00)",
        ) from None
    if timezone.is_naive(moment):
        return moment.date()
    return timezone.localdate(moment)


def _consent(values: list[str]) -> bool:
    field_name = f"attribute[{AttributeCode.CONTACT_CONSENT}]"
    text = values[-1].casefold() if values else ""
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise bad_request(field_name=field_name, message=f"must be true or false, got {text!r}")


def _list_values(values: list[str], *, attribute: dict[str, Any], many: bool) -> tuple[str, ...]:
    field_name = f"attribute[{attribute['code']}]"
    chosen = [value for value in values if value]
    if not chosen:
        if attribute["required"]:
            raise bad_request(
                field_name=field_name,
                message="is required: "
                + ("choose one or more of " if many else "choose one of ")
                + ", ".join(value["key"] for value in attribute["values"]),
            )
        return ()
    if not many and len(chosen) > 1:
        raise bad_request(field_name=field_name, message="takes one value")
    known = {value["key"] for value in attribute["values"]}
    for value in chosen:
        if value not in known:
            raise bad_request(
                field_name=field_name,
                message=f"{value!r} is not one of " + ", ".join(sorted(known)),
            )
    return tuple(dict.fromkeys(chosen))


def _contact(form: QueryDict) -> dict[str, str]:
    contact: dict[str, str] = {}
    for name, longest in CONTACT_FIELDS.items():
        value = " ".join(form.get(name, "").split())
        if not value:
            continue
        if len(value) > longest:
            raise bad_request(field_name=name, message=f"must be at most {longest} characters")
        if name == "email":
            try:
                validate_email(value)
            except ValidationError:
                raise bad_request(
                    field_name=name, message="is not an email address (name@example.org)"
                ) from None
        contact[name] = value
    return contact


def read_submission(form: QueryDict) -> OpenDraft:
    """Check a ``POST requests`` form and turn it into a draft report.

    Parameters
    ----------
    form
        The posted fields.

    Returns
    -------
    OpenDraft

    Raises
    ------
    Open311Error
        400 (404 for an unknown ``service_code``) naming the field at fault.
    """
    service_code = form.get("service_code", "").strip()
    if not service_code:
        raise bad_request(
            field_name="service_code", message="is required (see GET services for the codes)"
        )
    entry = service(service_code)
    offered = {attribute["code"]: attribute for attribute in attributes(entry)}
    sent = _attribute_values(form)
    for code in sent:
        if code not in offered:
            raise bad_request(
                field_name=f"attribute[{code}]",
                message=f"the service {service_code!r} has no such attribute (it has: "
                + ", ".join(offered)
                + ")",
            )
    strands: tuple[str, ...] = ()
    if AttributeCode.STRANDS in offered:
        strands = _list_values(
            sent.get(AttributeCode.STRANDS, []), attribute=offered[AttributeCode.STRANDS], many=True
        )
    category = entry.category
    if AttributeCode.CATEGORY in offered:
        category = _list_values(
            sent.get(AttributeCode.CATEGORY, []),
            attribute=offered[AttributeCode.CATEGORY],
            many=False,
        )[0]
    when = _when(sent.get(AttributeCode.WHEN, []))
    consent = _consent(sent.get(AttributeCode.CONTACT_CONSENT, []))
    description = form.get("description", "").strip()
    if len(description) > MAX_DESCRIPTION_CHARACTERS:
        raise bad_request(
            field_name="description",
            message=f"must be at most {MAX_DESCRIPTION_CHARACTERS:,} characters "
            f"(it has {len(description):,})",
        )
    address = " ".join(form.get("address_string", "").split())
    if len(address) > MAX_ADDRESS_CHARACTERS:
        raise bad_request(
            field_name="address_string",
            message=f"must be at most {MAX_ADDRESS_CHARACTERS} characters",
        )
    has_lat, has_long = bool(form.get("lat", "").strip()), bool(form.get("long", "").strip())
    place_name = ""
    if has_lat or has_long:
        if not (has_lat and has_long):
            raise bad_request(
                field_name="long" if has_lat else "lat",
                message="lat and long are sent together",
            )
        latitude = _number(form, "lat", low=-90.0, high=90.0)
        longitude = _number(form, "long", low=-180.0, high=180.0)
    elif address:
        place = place_named_in(address)
        latitude, longitude, place_name = place.latitude, place.longitude, place.name
    elif form.get("address_id", "").strip():
        raise bad_request(
            field_name="address_id",
            message="is not supported (there is no address register); send lat and long, or "
            "address_string",
        )
    else:
        raise bad_request(
            field_name="lat",
            message="a location is required: lat and long, or address_string",
        )
    if address:
        description = (
            f"{description}\n\nWhere (as sent): {address}" if description else f"Where: {address}"
        )
    contact = _contact(form)
    draft = ReportDraft(
        kind=entry.kind,
        category=category or "",
        occurred_from=when,
        occurred_to=when,
        strands=strands,
        latitude=latitude,
        longitude=longitude,
        place_name=place_name,
        description=description,
        contact=contact if consent else {},
        contact_consent=consent and bool(contact),
    )
    return OpenDraft(
        service_code=entry.service_code,
        draft=draft,
        contact_dropped=bool(contact) and not consent,
        media_url_ignored=bool(form.get("media_url", "").strip()),
    )
