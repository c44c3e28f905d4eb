"""The alerts configuration (issue 14): the shipped file, its checks, and the web's kinds."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from safecity.config.alerts import (
    KIND_IDS,
    ROLE_IDS,
    AlertsConfigError,
    SubscriptionKind,
    alerts_config,
    parse_alerts_config,
)
from safecity.config.packaged_yaml import read_packaged_yaml
from safecity_web import core_gateway
from safecity_web.accounts.models import PARTNER_ROLES
from safecity_web.alerts.models import AlertKind


def _shipped() -> dict[str, Any]:
    return copy.deepcopy(read_packaged_yaml("alerts.yaml"))


def test_the_shipped_file_describes_every_kind_and_its_rules() -> None:
    config = alerts_config()
    assert (config.recent_months, config.overdue_after_days, config.digest_hour) == (3, 92, 7)
    assert (config.new_within_days, config.review_notice_days) == (14, 7)
    assert config.unsubscribe_valid_for_days == 60
    assert [kind.id for kind in config.kinds] == list(KIND_IDS)
    optional = {kind.id for kind in config.kinds if kind.subscription is SubscriptionKind.OPTIONAL}
    assert optional == {"control_limit", "significant_change"}
    assert config.kind("action_update_overdue").roles == ("administrator", "partner_officer")
    assert core_gateway.alerts_config() is config


def test_the_web_knows_exactly_the_configured_kinds_and_roles() -> None:
    assert [kind.value for kind in AlertKind] == list(KIND_IDS)
    assert set(ROLE_IDS) == {role.value for role in PARTNER_ROLES}
    labels = {kind.id: kind.label for kind in alerts_config().kinds}
    assert {kind.value: kind.label for kind in AlertKind} == labels


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda doc: doc.update(colour="blue"), "unknown key(s) colour"),
        (lambda doc: doc.pop("digest"), "missing key(s) digest"),
        (lambda doc: doc.update(digest=7), "digest: must be a mapping"),
        (lambda doc: doc["digest"].update(hour=24), "digest: 'hour' must be 0 to 23"),
        (
            lambda doc: doc["control_limits"].update(recent_months=0),
            "control_limits: 'recent_months' must be a whole number of at least 1",
        ),
        (
            lambda doc: doc["action_updates"].update(overdue_after_days="92"),
            "action_updates: 'overdue_after_days' must be a whole number",
        ),
        (
            lambda doc: doc["kinds"][2].update(audience="everyone"),
            "kinds[2]: unknown key(s) audience",
        ),
        (lambda doc: doc["kinds"][3].pop("who"), "kinds[3]: missing key(s) who"),
        (
            lambda doc: doc["kinds"][0].update(subscription="sometimes"),
            "kinds[0]: 'subscription' must be one of optional, by_role (found 'sometimes')",
        ),
        (
            lambda doc: doc["kinds"][1].update(roles=["business_member"]),
            "kinds[1]: unknown role 'business_member'",
        ),
        (lambda doc: doc["kinds"][4].update(id="weather"), "kinds[4]: unknown alert kind"),
        (lambda doc: doc["kinds"].pop(7), "no entry for alert kind(s) review_escalated"),
        (
            lambda doc: doc["kinds"].append(copy.deepcopy(doc["kinds"][0])),
            "alert kind 'control_limit' appears twice",
        ),
        (lambda doc: doc.update(version=2), "'version' must be 1"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_entry(change: Any, words: str) -> None:
    document = _shipped()
    change(document)
    with pytest.raises(AlertsConfigError) as raised:
        parse_alerts_config(document, where="alerts.yaml")
    assert words in str(raised.value)
    assert str(raised.value).startswith("alerts.yaml")


def test_a_partnerships_own_file_is_read_and_a_broken_one_named(tmp_path: Path) -> None:
    document = _shipped()
    document["digest"]["hour"] = 6
    own = tmp_path / "alerts.yaml"
    own.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert alerts_config(path=own).digest_hour == 6
    broken = tmp_path / "broken.yaml"
    broken.write_text("kinds: [", encoding="utf-8")
    with pytest.raises(AlertsConfigError, match=f"{broken}: not valid YAML"):
        alerts_config(path=broken)
