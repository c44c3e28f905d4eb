"""Recommended priorities drafted from the priority scoring matrix, each citing its evidence.

The drafts are read from the artefact's ``priority_top`` and ``priority_scores`` tables (family
11, ``methods.md`` §8.2), never from the scoring's internals: one recommendation per top-N
issue, and a "watch" recommendation for an issue outside the top N whose trend criterion
scored a statistically significant increase. Each recommendation names the criteria that drove
it (scored at least ``driver_minimum_score``) with the matrix's own basis sentence, and cites
the rows behind it: the priority row and each driver's evidence rows, kept only when the
artefact has them for the audience (a criterion that was not scored cites nothing). The
wording is configuration (``config/recommendations.yaml``).

The analyst accepts, edits or rejects each draft (see :mod:`safecity.report.commentary`).

References
----------
Home Office (2011), *Strategic Assessments: a guide for Community Safety Partnerships*; the
MoRiLE scoring matrix as described in ``methods.md`` §8.1–8.2.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

import pandas as pd

from safecity.config.packaged_yaml import read_packaged_yaml

ROW_ID_SEPARATOR = ";"
PRIORITY_TOP_TABLE = "priority_top"
PRIORITY_SCORES_TABLE = "priority_scores"


class RecommendationKind(StrEnum):
    """Why a recommendation is drafted."""

    PRIORITY = "priority"
    """The issue is among the top N of the scoring matrix."""
    WATCH = "watch"
    """Outside the top N, but its trend is a statistically significant increase."""


class RecommendationConfigError(ValueError):
    """The recommendations wording file is not valid; the message names the key."""


@dataclass(frozen=True, slots=True)
class RecommendationWording:
    """Rules and sentences of ``config/recommendations.yaml``."""

    driver_minimum_score: float
    watch_trend_score: float
    low_confidence_score: float
    texts: Mapping[str, str]
    criteria: Mapping[str, str]


def parse_recommendation_wording(document: Any, *, origin: str) -> RecommendationWording:
    """The wording from a parsed YAML document; raises :class:`RecommendationConfigError`."""
    if not isinstance(document, dict):
        raise RecommendationConfigError(f"{origin}: expected a mapping")
    try:
        texts = {str(key): str(value) for key, value in document["texts"].items()}
        wording = RecommendationWording(
            driver_minimum_score=float(document["driver_minimum_score"]),
            watch_trend_score=float(document["watch_trend_score"]),
            low_confidence_score=float(document["low_confidence_score"]),
            texts=texts,
            criteria={str(key): str(value) for key, value in document["criteria"].items()},
        )
    except KeyError as error:
        raise RecommendationConfigError(f"{origin}: missing key {error}") from error
    except (TypeError, ValueError, AttributeError) as error:
        raise RecommendationConfigError(f"{origin}: {error}") from error
    needed = {"priority", "priority_no_drivers", "watch", "low_confidence"}
    if needed - set(texts):
        raise RecommendationConfigError(f"{origin}: texts needs {sorted(needed - set(texts))}")
    return wording


@cache
def load_recommendation_wording() -> RecommendationWording:
    """The wording shipped in ``safecity.config/recommendations.yaml``."""
    return parse_recommendation_wording(
        read_packaged_yaml("recommendations.yaml"),
        origin="safecity.config/recommendations.yaml",
    )


@dataclass(frozen=True, slots=True)
class Driver:
    """A criterion that scored high for the issue: its score, basis and evidence rows."""

    criterion: str
    label: str
    score: float
    basis: str
    row_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A drafted recommendation and the artefact rows it cites.

    Attributes
    ----------
    recommendation_id
        ``recommendation:<group_id>:<area>:<period>`` (the priority id's tail), stable across
        runs of the same assessment, so that a decision keeps to its recommendation.
    group_id, group_name
        The issue (crime group).
    kind
        Top-N priority or watch.
    rank, issues
        The issue's rank in the matrix and the number of issues ranked.
    score
        Its priority score as printed.
    text
        The drafted sentence, each criterion with the matrix's basis.
    short_text
        The same sentence naming the criteria only (for an edition that leaves the evidence to
        the published priority scores).
    drivers
        The criteria behind it.
    row_ids
        Every row it cites, the priority row first; each one exists in the artefact.
    """

    recommendation_id: str
    group_id: str
    group_name: str
    kind: RecommendationKind
    rank: int
    issues: int
    score: str
    text: str
    short_text: str
    drivers: tuple[Driver, ...]
    row_ids: tuple[str, ...]


def _split(text: object) -> tuple[str, ...]:
    if not isinstance(text, str):
        return ()
    return tuple(part.strip() for part in text.split(ROW_ID_SEPARATOR) if part.strip())


def _number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value))
    except ValueError:
        return None
    return None if pd.isna(number) else number


def _score_text(value: object) -> str:
    number = _number(value)
    if number is None:
        return "no score"
    return f"{number:,.0f}" if number == round(number) else f"{number:,.1f}"


def _drivers(
    row: Mapping[str, Any], *, wording: RecommendationWording, known_rows: Container[str]
) -> tuple[Driver, ...]:
    drivers = []
    for criterion, label in wording.criteria.items():
        score = _number(row.get(f"{criterion}_score"))
        basis = str(row.get(f"{criterion}_basis") or "")
        if score is None or score < wording.driver_minimum_score:
            continue
        if not basis or basis.startswith("not available") or basis.startswith("not scored"):
            continue
        cited = tuple(
            row_id for row_id in _split(row.get(f"{criterion}_evidence")) if row_id in known_rows
        )
        drivers.append(
            Driver(criterion=criterion, label=label, score=score, basis=basis, row_ids=cited)
        )
    return tuple(drivers)


def _phrases(drivers: tuple[Driver, ...], *, with_basis: bool = True) -> str:
    parts = [
        f"{driver.label} ({driver.basis})" if with_basis else driver.label for driver in drivers
    ]
    if len(parts) <= 1:
        return "".join(parts)
    return "; ".join(parts[:-1]) + "; and " + parts[-1]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def draft_recommendations(
    *,
    scores: pd.DataFrame | None,
    top: pd.DataFrame | None,
    period: str,
    known_rows: Container[str],
    wording: RecommendationWording | None = None,
) -> list[Recommendation]:
    """Draft the recommendations of an assessment from its priority tables.

    Parameters
    ----------
    scores
        The artefact's ``priority_scores`` table (the matrix; public or full copy).
    top
        Its ``priority_top`` table (the top N, in rank order).
    period
        The assessed period as printed (e.g. ``2024/25``).
    known_rows
        The ids of the rows the reader may see (the report's row index, or the ids published
        on the site): a recommendation cites only rows in it.
    wording
        Rules and sentences (default: the packaged ``config/recommendations.yaml``).

    Returns
    -------
    list of Recommendation
        Top-N priorities in rank order, then watch recommendations in rank order; empty when
        the assessment has no priority scores.
    """
    wording = wording or load_recommendation_wording()
    if scores is None or scores.empty or "priority_id" not in scores.columns:
        return []
    matrix = scores.sort_values("rank", kind="mergesort")
    top_ids = (
        set(top["priority_id"].astype(str))
        if top is not None and not top.empty
        else set(matrix.loc[matrix["in_top"].astype(bool), "priority_id"].astype(str))
    )
    issues = len(matrix)
    drafted: list[Recommendation] = []
    watched: list[Recommendation] = []
    for record in matrix.to_dict("records"):
        row = {str(key): value for key, value in record.items()}
        priority_id = str(row["priority_id"])
        in_top = priority_id in top_ids
        trend = _number(row.get("trend_score"))
        watch = not in_top and trend is not None and trend >= wording.watch_trend_score
        if not (in_top or watch):
            continue
        drivers = _drivers(row, wording=wording, known_rows=known_rows)
        if watch:
            drivers = tuple(driver for driver in drivers if driver.criterion == "trend")
        group_name = str(row.get("group_name") or row["group_id"])
        fields = {
            "group_name": _lower_first(group_name),
            "rank": _score_text(row.get("rank")),
            "issues": f"{issues:,}",
            "score": _score_text(row.get("priority_score")),
            "drivers": _phrases(drivers),
            "period": period,
        }
        key = "watch" if watch else ("priority" if drivers else "priority_no_drivers")
        texts = []
        for with_basis in (True, False):
            text = (
                wording.texts[key]
                .format(**{**fields, "drivers": _phrases(drivers, with_basis=with_basis)})
                .strip()
            )
            text = text[:1].upper() + text[1:]
            confidence = _number(row.get("confidence_score"))
            if confidence is not None and confidence <= wording.low_confidence_score:
                text += " " + wording.texts["low_confidence"].strip()
            texts.append(text)
        text, short_text = texts
        cited = [priority_id] if priority_id in known_rows else []
        for driver in drivers:
            cited.extend(driver.row_ids)
        recommendation = Recommendation(
            recommendation_id="recommendation:" + priority_id.removeprefix("priority:"),
            group_id=str(row["group_id"]),
            group_name=group_name,
            kind=RecommendationKind.WATCH if watch else RecommendationKind.PRIORITY,
            rank=int(_number(row.get("rank")) or 0),
            issues=issues,
            score=fields["score"],
            text=text,
            short_text=short_text,
            drivers=drivers,
            row_ids=tuple(dict.fromkeys(cited)),
        )
        (watched if watch else drafted).append(recommendation)
    return drafted + watched
