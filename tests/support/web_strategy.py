"""Names shared by the strategy tests (tests/web/strategy): the reference strategy file and the
partner organisations it names as responsible bodies."""

from __future__ import annotations

from safecity_web.strategy.models import Action

SOUTHAMPTON_STRATEGY = "southampton-safe-city-strategy-2022-2027.yaml"
COUNCIL = "Southampton City Council"
POLICE = "Hampshire and Isle of Wight Constabulary"
FIRE = "Hampshire and Isle of Wight Fire and Rescue Service"
TEST_PASSWORD = "a long test password 1"


def action_by_code(code: str) -> Action:
    """The imported action with this strategy-file id (one strategy imported)."""
    return Action.objects.get(code=code)
