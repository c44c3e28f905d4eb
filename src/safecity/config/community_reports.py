"""The community-reporting vocabulary (``community_reports.yaml``): kinds, strands, duties.

One file read by the web site (forms, triage, retention, Open311) and by the core (the
community-reports loader and family), so that a report's kind, strand and category mean the same
everywhere. A partnership may point ``SAFECITY_COMMUNITY_REPORTS_CONFIG`` at its own copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from safecity.config.packaged_yaml import (
    chosen_config_path,
    read_config_document,
)

CONFIG_FILE = "community_reports.yaml"
CONFIG_ENVIRONMENT_VARIABLE = "SAFECITY_COMMUNITY_REPORTS_CONFIG"


class CommunityReportsConfigError(ValueError):
    """The community-reporting configuration is malformed (the message says where)."""


@dataclass(frozen=True, slots=True)
class Choice:
    """An identifier with the words the forms show for it."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Strand:
    """A monitored hate-crime strand and the police crime group it is compared with."""

    id: str
    label: str
    police_crime_group: str | None


@dataclass(frozen=True, slots=True)
class ReportKind:
    """A kind of community report: its categories, triage routing and retention."""

    id: str
    label: str
    routed_to: tuple[str, ...]
    retention_days: int
    categories: tuple[Choice, ...]

    def category(self, category_id: str) -> Choice:
        """The category ``category_id`` of this kind (``KeyError`` when it has none such)."""
        for choice in self.categories:
            if choice.id == category_id:
                return choice
        raise KeyError(f"report kind {self.id!r} has no category {category_id!r}")


@dataclass(frozen=True, slots=True)
class Open311Service:
    """One GeoReport v2 service: its code, the kind and category it files reports under."""

    service_code: str
    kind: str
    category: str | None
    group: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class AttachmentRules:
    """What a report's attachments may be."""

    max_bytes: int
    max_per_report: int
    image_types: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AbuseRules:
    """Rate limits, size limits and the duplicate window of public reporting."""

    per_address_rate: str
    global_rate: str
    max_description_characters: int
    duplicate_window_minutes: int


@dataclass(frozen=True, slots=True)
class CommunityReportsConfig:
    """The whole community-reporting configuration."""

    duties: tuple[Choice, ...]
    strands: tuple[Strand, ...]
    kinds: tuple[ReportKind, ...]
    jurisdiction_id: str | None
    services: tuple[Open311Service, ...]
    minimum_public_count: int
    alert_retention_days: int
    attachments: AttachmentRules
    abuse: AbuseRules

    def kind(self, kind_id: str) -> ReportKind:
        """The report kind ``kind_id`` (``KeyError`` naming the known kinds otherwise)."""
        for kind in self.kinds:
            if kind.id == kind_id:
                return kind
        known = ", ".join(kind.id for kind in self.kinds)
        raise KeyError(f"no report kind {kind_id!r} (known: {known})")

    def strand(self, strand_id: str) -> Strand:
        """The strand ``strand_id`` (``KeyError`` naming the known strands otherwise)."""
        for strand in self.strands:
            if strand.id == strand_id:
                return strand
        known = ", ".join(strand.id for strand in self.strands)
        raise KeyError(f"no hate-crime strand {strand_id!r} (known: {known})")

    def service(self, service_code: str) -> Open311Service:
        """The Open311 service ``service_code`` (``KeyError`` otherwise)."""
        for service in self.services:
            if service.service_code == service_code:
                return service
        raise KeyError(f"no Open311 service {service_code!r}")


def _text(entry: dict[str, Any], key: str, *, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CommunityReportsConfigError(f"{where}: {key!r} must be a non-empty text")
    return value


def _positive_int(entry: dict[str, Any], key: str, *, where: str) -> int:
    value = entry.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise CommunityReportsConfigError(f"{where}: {key!r} must be a positive whole number")
    return value


def _mapping(value: Any, *, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CommunityReportsConfigError(f"{where}: must be a mapping")
    return value


def _entries(document: dict[str, Any], key: str, *, where: str) -> list[dict[str, Any]]:
    value = document.get(key)
    if not isinstance(value, list) or not value:
        raise CommunityReportsConfigError(f"{where}: {key!r} must be a non-empty list")
    return [_mapping(entry, where=f"{where} {key}[{index}]") for index, entry in enumerate(value)]


def _unique(ids: list[str], *, what: str, where: str) -> None:
    seen: set[str] = set()
    for identifier in ids:
        if identifier in seen:
            raise CommunityReportsConfigError(f"{where}: {what} {identifier!r} appears twice")
        seen.add(identifier)


def parse_community_reports_config(document: Any, *, where: str) -> CommunityReportsConfig:
    """Check and convert a parsed ``community_reports.yaml`` document.

    Parameters
    ----------
    document
        The parsed YAML.
    where
        Where it came from, for error messages.

    Returns
    -------
    CommunityReportsConfig

    Raises
    ------
    CommunityReportsConfigError
        Naming the entry and field that is wrong.
    """
    root = _mapping(document, where=where)
    duties = tuple(
        Choice(_text(entry, "id", where=where), _text(entry, "label", where=where))
        for entry in _entries(root, "duties", where=where)
    )
    _unique([duty.id for duty in duties], what="duty", where=where)
    strands = tuple(
        Strand(
            id=_text(entry, "id", where=where),
            label=_text(entry, "label", where=where),
            police_crime_group=entry.get("police_crime_group"),
        )
        for entry in _entries(root, "strands", where=where)
    )
    _unique([strand.id for strand in strands], what="strand", where=where)
    duty_ids = {duty.id for duty in duties}
    kinds: list[ReportKind] = []
    for index, entry in enumerate(_entries(root, "kinds", where=where)):
        at = f"{where} kinds[{index}]"
        routed = entry.get("routed_to")
        if not isinstance(routed, list) or not routed:
            raise CommunityReportsConfigError(f"{at}: 'routed_to' must list at least one duty")
        for duty in routed:
            if duty not in duty_ids:
                raise CommunityReportsConfigError(f"{at}: routed to unknown duty {duty!r}")
        categories = tuple(
            Choice(_text(choice, "id", where=at), _text(choice, "label", where=at))
            for choice in _entries(entry, "categories", where=at)
        )
        _unique([choice.id for choice in categories], what="category", where=at)
        kinds.append(
            ReportKind(
                id=_text(entry, "id", where=at),
                label=_text(entry, "label", where=at),
                routed_to=tuple(str(duty) for duty in routed),
                retention_days=_positive_int(entry, "retention_days", where=at),
                categories=categories,
            )
        )
    _unique([kind.id for kind in kinds], what="kind", where=where)
    kind_by_id = {kind.id: kind for kind in kinds}
    open311 = _mapping(root.get("open311"), where=f"{where} open311")
    services: list[Open311Service] = []
    for index, entry in enumerate(_entries(open311, "services", where=f"{where} open311")):
        at = f"{where} open311.services[{index}]"
        kind_id = _text(entry, "kind", where=at)
        if kind_id not in kind_by_id:
            raise CommunityReportsConfigError(f"{at}: unknown kind {kind_id!r}")
        category = entry.get("category")
        if category is not None:
            try:
                kind_by_id[kind_id].category(str(category))
            except KeyError as error:
                raise CommunityReportsConfigError(f"{at}: {error.args[0]}") from error
        services.append(
            Open311Service(
                service_code=_text(entry, "service_code", where=at),
                kind=kind_id,
                category=None if category is None else str(category),
                group=_text(entry, "group", where=at),
                name=_text(entry, "name", where=at),
                description=_text(entry, "description", where=at),
            )
        )
    _unique([service.service_code for service in services], what="service_code", where=where)
    jurisdiction = open311.get("jurisdiction_id")
    export = _mapping(root.get("export"), where=f"{where} export")
    attachments = _mapping(root.get("attachments"), where=f"{where} attachments")
    image_types = attachments.get("image_types")
    if not isinstance(image_types, list) or not all(isinstance(t, str) for t in image_types):
        raise CommunityReportsConfigError(f"{where} attachments: 'image_types' must list types")
    abuse = _mapping(root.get("abuse"), where=f"{where} abuse")
    alerts = _mapping(root.get("business_alerts"), where=f"{where} business_alerts")
    return CommunityReportsConfig(
        duties=duties,
        strands=strands,
        kinds=tuple(kinds),
        jurisdiction_id=None if jurisdiction is None else str(jurisdiction),
        services=tuple(services),
        minimum_public_count=_positive_int(export, "minimum_public_count", where=where),
        alert_retention_days=_positive_int(alerts, "retention_days", where=where),
        attachments=AttachmentRules(
            max_bytes=_positive_int(attachments, "max_bytes", where=where),
            max_per_report=_positive_int(attachments, "max_per_report", where=where),
            image_types=tuple(image_types),
        ),
        abuse=AbuseRules(
            per_address_rate=_text(abuse, "per_address_rate", where=where),
            global_rate=_text(abuse, "global_rate", where=where),
            max_description_characters=_positive_int(
                abuse, "max_description_characters", where=where
            ),
            duplicate_window_minutes=_positive_int(abuse, "duplicate_window_minutes", where=where),
        ),
    )


@lru_cache(maxsize=4)
def _read(path_text: str) -> CommunityReportsConfig:
    document, where = read_config_document(
        path_text=path_text, file_name=CONFIG_FILE, error=CommunityReportsConfigError
    )
    return parse_community_reports_config(document, where=where)


def community_reports_config(*, path: Path | None = None) -> CommunityReportsConfig:
    """The community-reporting configuration in force.

    Parameters
    ----------
    path
        A partnership's own file; default: ``SAFECITY_COMMUNITY_REPORTS_CONFIG`` when set,
        otherwise the file shipped with the package.

    Returns
    -------
    CommunityReportsConfig
    """
    return _read(chosen_config_path(path=path, environment_variable=CONFIG_ENVIRONMENT_VARIABLE))
