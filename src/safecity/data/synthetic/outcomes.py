"""Investigation outcomes: the police.uk "Last outcome category" and the Home Office outcome type.

Outcomes depend on whether a suspect was identified (most crimes without one close as
"Investigation complete; no suspect identified", Home Office outcome 18) and on the crime's
age: the latest months are mostly "Under investigation", and charged cases wait months for a
court result (Home Office, *Crime outcomes in England and Wales*, outcome types 1-22).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

OUTCOMES = (
    ("Under investigation", ""),
    ("Investigation complete; no suspect identified", "18"),
    ("Unable to prosecute suspect", "15"),
    ("Unable to prosecute suspect", "16"),
    ("Local resolution", "8"),
    ("Offender given a caution", "3"),
    ("Awaiting court outcome", "1"),
    ("Offender sent to prison", "1"),
    ("Offender given community sentence", "1"),
    ("Offender fined", "1"),
    ("Defendant found not guilty", "1"),
    ("Formal action is not in the public interest", "10"),
    ("Action to be taken by another organisation", "20"),
    ("Offender given a drugs possession warning", "2"),
    ("Further investigation is not in the public interest", "21"),
    ("Offender given penalty notice", "6"),
)
"""(police.uk text, Home Office outcome type number; empty while pending)."""
POLICE_UK_TEXT = tuple(text for text, _ in OUTCOMES)
HOME_OFFICE_NUMBER = tuple(number for _, number in OUTCOMES)
UNDER_INVESTIGATION = 0
AWAITING_COURT = 6
COURT_RESULTS = (7, 8, 9, 10)

_UNKNOWN_SUSPECT = np.array([0, 0.92, 0.03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.02, 0, 0.03, 0])
_KNOWN_SUSPECT = np.array(
    [0, 0, 0.30, 0.24, 0.08, 0.06, 0.03, 0.04, 0.05, 0.06, 0.02, 0.04, 0.02, 0, 0.01, 0.05]
)
_POSSESSION_OF_DRUGS = np.array(
    [0, 0, 0.12, 0, 0.15, 0.10, 0.04, 0.03, 0.05, 0.10, 0.03, 0.05, 0, 0.25, 0, 0.03]
)


def draw_outcomes(
    *,
    known_suspect: BoolArray,
    drug_possession: BoolArray,
    months_before_latest: int,
    rng: np.random.Generator,
) -> IntArray:
    """Draw an outcome (index into :data:`OUTCOMES`) for each crime recorded in one month."""
    count = known_suspect.size
    outcome = np.empty(count, dtype=np.int64)
    for mask, weights in (
        (~known_suspect, _UNKNOWN_SUSPECT),
        (known_suspect & ~drug_possession, _KNOWN_SUSPECT),
        (known_suspect & drug_possession, _POSSESSION_OF_DRUGS),
    ):
        chosen = np.flatnonzero(mask)
        cumulative = np.cumsum(weights / weights.sum())
        outcome[chosen] = np.minimum(
            np.searchsorted(cumulative, rng.random(chosen.size), side="right"), len(OUTCOMES) - 1
        )
    awaiting_probability = float(np.exp(-months_before_latest / 4.0))
    at_court = np.isin(outcome, COURT_RESULTS) & (rng.random(count) < awaiting_probability)
    outcome[at_court] = AWAITING_COURT
    pending_probability = 0.9 * float(np.exp(-months_before_latest / 2.0)) + 0.01
    outcome[rng.random(count) < pending_probability] = UNDER_INVESTIGATION
    return outcome
