"""Fixtures of the strategy tests: partner organisations, one user per role, the reference
strategy file and an imported copy of it; the published demo assessment (for the statement
drafted from it)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from web_observatory import demo_artefact, published_demo, published_demo_id  # noqa: F401
from web_strategy import COUNCIL, FIRE, POLICE, SOUTHAMPTON_STRATEGY, TEST_PASSWORD


@pytest.fixture(scope="session")
def southampton_strategy_path(shared_data: Path) -> Path:
    """The reference strategy, ``../shared/strategy/southampton-safe-city-strategy-2022-2027.yaml``.

    It ships beside the real data (``shared_data`` skips locally when that is absent and fails
    under CI); when the data are present the strategy must be too.
    """
    path = shared_data.parent / "strategy" / SOUTHAMPTON_STRATEGY
    if not path.is_file():
        message = f"the reference strategy is missing: {path}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def organisations(db: None) -> dict[str, Any]:
    """Council, police and fire: all three are named as responsible bodies in the strategy."""
    from safecity_web.accounts.models import Organisation, OrganisationKind

    return {
        "council": Organisation.objects.create(name=COUNCIL, kind=OrganisationKind.COUNCIL),
        "police": Organisation.objects.create(name=POLICE, kind=OrganisationKind.POLICE),
        "fire": Organisation.objects.create(name=FIRE, kind=OrganisationKind.FIRE),
    }


@pytest.fixture
def users(organisations: dict[str, Any], django_user_model: Any) -> dict[str, Any]:
    """One user per role (council), plus partner officers of the police and the council."""
    from safecity_web.accounts.models import Role

    def make(username: str, role: Role, organisation: str) -> Any:
        return django_user_model.objects.create_user(
            username=username,
            password=TEST_PASSWORD,
            role=role,
            organisation=organisations[organisation],
        )

    return {
        "administrator": make("admin", Role.ADMINISTRATOR, "council"),
        "analyst": make("analyst", Role.ANALYST, "council"),
        "board_member": make("board", Role.BOARD_MEMBER, "council"),
        "police_officer": make("police.officer", Role.PARTNER_OFFICER, "police"),
        "council_officer": make("council.officer", Role.PARTNER_OFFICER, "council"),
    }


@pytest.fixture
def imported_strategy(southampton_strategy_path: Path, organisations: dict[str, Any]) -> Any:
    """The reference strategy imported (organisations exist first, so bodies match them)."""
    from safecity_web.strategy.importing import import_strategy

    return import_strategy(
        content=southampton_strategy_path.read_bytes(), source_name=SOUTHAMPTON_STRATEGY
    ).strategy
