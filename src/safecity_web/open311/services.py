"""The services a site offers (``community_reports.yaml`` ``open311``) and their definitions.

Every service files reports of one kind; a service without a fixed category asks for one
(``attribute[category]``, a single-value list of its kind's categories), and a hate service asks
what the hate was about (``attribute[strands]``, a multi-value list of the configured strands).
Every service takes an optional date (``attribute[when]``, default: the day the report arrives)
and the reporter's consent to be contacted (``attribute[contact_consent]``): without ``true``,
contact details sent with a report are not kept.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from safecity_web import core_gateway
from safecity_web.open311.errors import Open311Error, not_found

SERVICE_TYPE = "realtime"
"""Reports are stored as they arrive (the specification's ``realtime``)."""


class AttributeCode(StrEnum):
    """The attributes a service may ask for (``attribute[code]`` in a submission)."""

    STRANDS = "strands"
    CATEGORY = "category"
    WHEN = "when"
    CONTACT_CONSENT = "contact_consent"


class Datatype(StrEnum):
    """The specification's attribute data types used here."""

    DATETIME = "datetime"
    SINGLE_VALUE_LIST = "singlevaluelist"
    MULTI_VALUE_LIST = "multivaluelist"


ATTRIBUTE_FIELDS = (
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
)
"""An attribute's fields in the specification's order."""
YES_NO = [{"key": "true", "name": "Yes"}, {"key": "false", "name": "No"}]


def check_jurisdiction(jurisdiction_id: str | None) -> None:
    """Refuse a ``jurisdiction_id`` other than the configured one (404).

    The site serves one jurisdiction, so the parameter may be left out (the specification
    allows that); without a configured jurisdiction, any value is ignored.
    """
    configured = core_gateway.community_reports_config().jurisdiction_id
    if configured is None or jurisdiction_id is None or jurisdiction_id == configured:
        return
    raise not_found(
        field_name="jurisdiction_id",
        message=f"this site serves only the jurisdiction {configured!r}",
    )


def service(service_code: str, *, status_when_unknown: int = 404) -> Any:
    """The configured service ``service_code`` (an :class:`Open311Error` when there is none)."""
    config = core_gateway.community_reports_config()
    try:
        return config.service(service_code)
    except KeyError:
        known = ", ".join(entry.service_code for entry in config.services)
        raise Open311Error(
            status=status_when_unknown,
            field_name="service_code",
            message=f"there is no service {service_code!r} (services: {known})",
        ) from None


def attributes(service_entry: Any) -> list[dict[str, Any]]:
    """The attributes a submission to ``service_entry`` may carry, in the order they are asked."""
    config = core_gateway.community_reports_config()
    kind = config.kind(service_entry.kind)
    found: list[dict[str, Any]] = []
    if kind.id == "hate":
        found.append(
            {
                "variable": True,
                "code": str(AttributeCode.STRANDS),
                "datatype": str(Datatype.MULTI_VALUE_LIST),
                "required": True,
                "datatype_description": "Choose one or more.",
                "description": "What was the hate about?",
                "values": [{"key": strand.id, "name": strand.label} for strand in config.strands],
            }
        )
    if service_entry.category is None:
        found.append(
            {
                "variable": True,
                "code": str(AttributeCode.CATEGORY),
                "datatype": str(Datatype.SINGLE_VALUE_LIST),
                "required": True,
                "datatype_description": "Choose one.",
                "description": "What happened?",
                "values": [
                    {"key": category.id, "name": category.label} for category in kind.categories
                ],
            }
        )
    found.append(
        {
            "variable": True,
            "code": str(AttributeCode.WHEN),
            "datatype": str(Datatype.DATETIME),
            "required": False,
            "datatype_description": "An ISO 8601 date (2026-05-01) or date and time with its "
            "offset (2026-05-01T18:30:00+01:00). Leave it out for today.",
            "description": "When did it happen?",
        }
    )
    found.append(
        {
            "variable": True,
            "code": str(AttributeCode.CONTACT_CONSENT),
            "datatype": str(Datatype.SINGLE_VALUE_LIST),
            "required": False,
            "datatype_description": "true or false (default false).",
            "description": "May the partnership contact the person reporting, using the email, "
            "phone or name sent with the report? Unless this is true, contact details are not "
            "kept.",
            "values": YES_NO,
        }
    )
    return [
        {
            name: order if name == "order" else attribute[name]
            for name in ATTRIBUTE_FIELDS
            if name == "order" or name in attribute
        }
        for order, attribute in enumerate(found, start=1)
    ]


def _keywords(service_entry: Any) -> str:
    kind = core_gateway.community_reports_config().kind(service_entry.kind)
    if service_entry.category is None:
        labels = [category.label for category in kind.categories]
    else:
        labels = [kind.category(service_entry.category).label]
    return ", ".join([kind.label, *labels])


def service_list() -> list[dict[str, Any]]:
    """Every configured service as the specification's service list."""
    return [
        {
            "service_code": entry.service_code,
            "service_name": entry.name,
            "description": entry.description,
            "metadata": bool(attributes(entry)),
            "type": SERVICE_TYPE,
            "keywords": _keywords(entry),
            "group": entry.group,
        }
        for entry in core_gateway.community_reports_config().services
    ]


def service_definition(service_code: str) -> dict[str, Any]:
    """The definition (attributes) of the service ``service_code``."""
    entry = service(service_code)
    return {"service_code": entry.service_code, "attributes": attributes(entry)}


def service_for_report(*, kind: str, category: str) -> Any:
    """The service a stored report of ``kind`` and ``category`` belongs to (None: none)."""
    general = None
    for entry in core_gateway.community_reports_config().services:
        if entry.kind != kind:
            continue
        if entry.category == category:
            return entry
        if entry.category is None and general is None:
            general = entry
    return general
