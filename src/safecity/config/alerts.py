"""The alerts configuration (``alerts.yaml``): which alerts exist, who gets them, and when.

Read by the web site's alerts app (through ``safecity_web.core_gateway.alerts_config``): the
job that finds what needs people (months outside their control limits, significant changes,
overdue action updates, new items in triage and intelligence queues, intelligence reviews),
the job that emails them (at once or in a daily digest), and the portal's pages. A partnership
may point ``SAFECITY_ALERTS_CONFIG`` at its own copy.

References
----------
NHS England, *Making Data Count* (2019): a point outside the process limits of an XmR chart is
special-cause variation (``methods.md`` §9.3). RFC 8058, "Signaling One-Click Functionality for
List Email Headers" (the one-click unsubscribe of optional alerts).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from safecity.config.packaged_yaml import (
    chosen_config_path,
    read_config_document,
)

CONFIG_FILE = "alerts.yaml"
CONFIG_ENVIRONMENT_VARIABLE = "SAFECITY_ALERTS_CONFIG"

KIND_IDS = (
    "control_limit",
    "significant_change",
    "action_update_overdue",
    "triage_item",
    "intelligence_item",
    "review_due",
    "review_overdue",
    "review_escalated",
)
"""Every kind of alert the site raises; the configuration describes each exactly once."""
ROLE_IDS = ("administrator", "analyst", "board_member", "partner_officer")
"""The partnership's own roles, the only ones that receive alerts."""
HOURS_IN_A_DAY = 24


class AlertsConfigError(ValueError):
    """The alerts configuration is malformed (the message says which entry and field)."""


class SubscriptionKind(StrEnum):
    """How a user comes to receive a kind of alert."""

    OPTIONAL = "optional"
    """The user follows a crime group and/or area, and may unsubscribe with one click."""
    BY_ROLE = "by_role"
    """Given by the user's role, duties or designations; cannot be unsubscribed."""


@dataclass(frozen=True, slots=True)
class AlertKindRule:
    """One kind of alert: its words, how one comes to receive it, and the roles that may."""

    id: str
    label: str
    subscription: SubscriptionKind
    roles: tuple[str, ...]
    who: str

    @property
    def optional(self) -> bool:
        """Whether people choose it (and may unsubscribe)."""
        return self.subscription is SubscriptionKind.OPTIONAL


@dataclass(frozen=True, slots=True)
class AlertsConfig:
    """The whole alerts configuration."""

    recent_months: int
    overdue_after_days: int
    new_within_days: int
    review_notice_days: int
    digest_hour: int
    unsubscribe_valid_for_days: int
    kinds: tuple[AlertKindRule, ...]

    def kind(self, kind_id: str) -> AlertKindRule:
        """The kind ``kind_id`` (``KeyError`` naming the known kinds otherwise)."""
        for kind in self.kinds:
            if kind.id == kind_id:
                return kind
        known = ", ".join(kind.id for kind in self.kinds)
        raise KeyError(f"no alert kind {kind_id!r} (known: {known})")


def _mapping(value: Any, *, where: str, allowed: frozenset[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AlertsConfigError(f"{where}: must be a mapping")
    unknown = sorted(str(key) for key in value if key not in allowed)
    if unknown:
        raise AlertsConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})"
        )
    missing = sorted(key for key in allowed if key not in value)
    if missing:
        raise AlertsConfigError(f"{where}: missing key(s) {', '.join(missing)}")
    return value


def _text(entry: dict[str, Any], key: str, *, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise AlertsConfigError(f"{where}: {key!r} must be a non-empty text")
    return value.strip()


def _whole_number(entry: dict[str, Any], key: str, *, where: str, minimum: int) -> int:
    value = entry.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise AlertsConfigError(f"{where}: {key!r} must be a whole number of at least {minimum}")
    return value


def _section(root: dict[str, Any], name: str, key: str, *, where: str, minimum: int = 1) -> int:
    section = _mapping(root.get(name), where=f"{where} {name}", allowed=frozenset({key}))
    return _whole_number(section, key, where=f"{where} {name}", minimum=minimum)


def _kind(raw: Any, *, where: str) -> AlertKindRule:
    entry = _mapping(
        raw, where=where, allowed=frozenset({"id", "label", "subscription", "roles", "who"})
    )
    kind_id = _text(entry, "id", where=where)
    if kind_id not in KIND_IDS:
        raise AlertsConfigError(
            f"{where}: unknown alert kind {kind_id!r} (known: {', '.join(KIND_IDS)})"
        )
    subscription_text = _text(entry, "subscription", where=where)
    try:
        subscription = SubscriptionKind(subscription_text)
    except ValueError as error:
        choices = ", ".join(kind.value for kind in SubscriptionKind)
        raise AlertsConfigError(
            f"{where}: 'subscription' must be one of {choices} (found {subscription_text!r})"
        ) from error
    roles = entry.get("roles")
    if not isinstance(roles, list) or not roles:
        raise AlertsConfigError(f"{where}: 'roles' must be a non-empty list of roles")
    for role in roles:
        if role not in ROLE_IDS:
            raise AlertsConfigError(
                f"{where}: unknown role {role!r} in 'roles' (known: {', '.join(ROLE_IDS)})"
            )
    if len(set(roles)) != len(roles):
        raise AlertsConfigError(f"{where}: 'roles' names a role twice")
    return AlertKindRule(
        id=kind_id,
        label=_text(entry, "label", where=where),
        subscription=subscription,
        roles=tuple(str(role) for role in roles),
        who=_text(entry, "who", where=where),
    )


def parse_alerts_config(document: Any, *, where: str) -> AlertsConfig:
    """Check and convert a parsed ``alerts.yaml`` document.

    Parameters
    ----------
    document
        The parsed YAML.
    where
        Where it came from, for error messages.

    Returns
    -------
    AlertsConfig

    Raises
    ------
    AlertsConfigError
        Naming the entry and field that is wrong (unknown and missing keys included, a kind
        described twice or not at all).
    """
    root = _mapping(
        document,
        where=where,
        allowed=frozenset(
            {
                "version",
                "control_limits",
                "action_updates",
                "queues",
                "reviews",
                "digest",
                "unsubscribe",
                "kinds",
            }
        ),
    )
    if root.get("version") != 1:
        raise AlertsConfigError(f"{where}: 'version' must be 1")
    raw_kinds = root.get("kinds")
    if not isinstance(raw_kinds, list) or not raw_kinds:
        raise AlertsConfigError(f"{where} kinds: must be a non-empty list")
    kinds = tuple(
        _kind(raw, where=f"{where} kinds[{index}]") for index, raw in enumerate(raw_kinds)
    )
    seen: set[str] = set()
    for kind in kinds:
        if kind.id in seen:
            raise AlertsConfigError(f"{where} kinds: alert kind {kind.id!r} appears twice")
        seen.add(kind.id)
    absent = [kind_id for kind_id in KIND_IDS if kind_id not in seen]
    if absent:
        raise AlertsConfigError(f"{where} kinds: no entry for alert kind(s) {', '.join(absent)}")
    digest_hour = _section(root, "digest", "hour", where=where, minimum=0)
    if digest_hour >= HOURS_IN_A_DAY:
        raise AlertsConfigError(f"{where} digest: 'hour' must be 0 to 23 (found {digest_hour})")
    return AlertsConfig(
        recent_months=_section(root, "control_limits", "recent_months", where=where),
        overdue_after_days=_section(root, "action_updates", "overdue_after_days", where=where),
        new_within_days=_section(root, "queues", "new_within_days", where=where),
        review_notice_days=_section(root, "reviews", "notice_days", where=where, minimum=0),
        digest_hour=digest_hour,
        unsubscribe_valid_for_days=_section(root, "unsubscribe", "valid_for_days", where=where),
        kinds=kinds,
    )


@lru_cache(maxsize=4)
def _read(path_text: str) -> AlertsConfig:
    document, where = read_config_document(
        path_text=path_text, file_name=CONFIG_FILE, error=AlertsConfigError
    )
    return parse_alerts_config(document, where=where)


def alerts_config(*, path: Path | None = None) -> AlertsConfig:
    """The alerts configuration in force.

    Parameters
    ----------
    path
        A partnership's own file; default: ``SAFECITY_ALERTS_CONFIG`` when set, otherwise the
        file shipped with the package.

    Returns
    -------
    AlertsConfig
    """
    return _read(chosen_config_path(path=path, environment_variable=CONFIG_ENVIRONMENT_VARIABLE))
