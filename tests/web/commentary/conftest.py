"""Fixtures of the commentary tests: the published demo assessment and users per role."""

from __future__ import annotations

from typing import Any

import pytest
from web_observatory import demo_artefact, published_demo, published_demo_id  # noqa: F401

from safecity_web.accounts.models import Organisation, OrganisationKind, Role

ORGANISATION = "Demoton City Council"


@pytest.fixture
def user_with_role(db: None, django_user_model: Any) -> Any:
    """Make a user holding ``role`` in a council organisation."""
    organisation, _ = Organisation.objects.get_or_create(
        name=ORGANISATION, defaults={"kind": OrganisationKind.COUNCIL}
    )

    def make(role: Role) -> Any:
        return django_user_model.objects.create_user(
            username=f"{role.value}-user",
            password="not-a-real-password-123",
            organisation=organisation,
            role=role,
        )

    return make


@pytest.fixture
def analyst(user_with_role: Any) -> Any:
    """An analyst of the council."""
    return user_with_role(Role.ANALYST)
