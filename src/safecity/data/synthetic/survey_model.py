"""The synthetic residents' survey of the demo city: questions, population model, respondents.

Every respondent is drawn from the city's own adult population (LSOA x single year of age x
sex, aged 16 and over), in two stages as a postal/online survey is: an issued sample, a simple
random sample of adults, and then response with a probability that rises with age (16-24 year
olds answer at a third of the rate of those 65 and over) and is a little lower for men. So the
respondents are older and more often women than the population, and unweighted estimates are
biased; raking to the age, sex and ward margins removes most of the bias.

Each answer is drawn from a logistic model ``logit p = alpha + age band + sex + ward``. The
intercept ``alpha`` is solved (bisection) so that the **population** share -- every adult of the
city weighted equally, by the expected probabilities -- is the planted value. Between waves
exactly one parameter changes: feeling safe walking alone after dark falls from 74% to 66% in
the population; every other measure has the same parameters in both waves (no real change).

References
----------
Office for National Statistics (2023). *Crime Survey for England and Wales: user guide*
(the questions on feeling safe, worry about burglary and victimisation, whose wording these
synthetic questions follow). Lohr SL (2022). *Sampling: Design and Analysis*, 3rd ed., ch. 8
(non-response and weighting class adjustments).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MINIMUM_AGE = 16
OPEN_AGE = 90
"""The population file's top age column, ``90+``."""
REFUSED = 8
"""Code of "Prefer not to say" (SPSS user-missing)."""
DONT_KNOW = 9
"""Code of "Don't know" (SPSS user-missing)."""
MISSING_LABELS = {REFUSED: "Prefer not to say", DONT_KNOW: "Don't know"}

AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("16-24", 16, 24),
    ("25-34", 25, 34),
    ("35-44", 35, 44),
    ("45-54", 45, 54),
    ("55-64", 55, 64),
    ("65-74", 65, 74),
    ("75+", 75, OPEN_AGE),
)
"""Age bands (label, first age, last age); code = position + 1."""
SEXES = ("Male", "Female")
"""Sex labels; code = position + 1 (ONS: 1 male, 2 female)."""

RESPONSE_BY_AGE_BAND = np.array([1 / 3, 0.45, 0.6, 0.75, 0.9, 1.0, 1.0])
"""Relative response propensity by age band: 16-24 answer at a third of the rate of 65+."""
RESPONSE_BY_SEX = np.array([0.85, 1.0])
"""Relative response propensity of men and women (women answer surveys more often)."""
ISSUED_SAMPLE = 10_000
"""Adults sent the questionnaire in each wave (a simple random sample of the city's adults)."""
EXPECTED_RESPONDENTS = 2_500
"""Expected respondents per wave: the response rate is set so the expected number is this."""
POSTCODE_GIVEN = 0.8
"""Share of respondents who give their postcode."""
WARD_EFFECT_SD = 0.25
"""Standard deviation of the ward effects (log-odds), the same in both waves."""


@dataclass(frozen=True, slots=True)
class ScaleQuestion:
    """A single-choice question: its codes and labels, and how the answer is drawn.

    ``collapsed`` groups the codes into the binary outcome of the model: the first group is
    the "yes" outcome (e.g. very or fairly safe). Within a group, a code is chosen with the
    ``within`` probabilities. ``age_effects`` (by age band) and ``female_effect`` are log-odds;
    ``dont_know`` and ``refused`` are item non-response rates.
    """

    variable: str
    """The SPSS variable name."""
    header: str
    """The column header of the survey tool's CSV export (the question as asked)."""
    label: str
    """The SPSS variable label."""
    codes: Mapping[int, str]
    collapsed: tuple[tuple[int, ...], tuple[int, ...]]
    within: tuple[tuple[float, ...], tuple[float, ...]]
    age_effects: tuple[float, ...]
    female_effect: float
    dont_know: float
    refused: float

    @property
    def value_labels(self) -> dict[int, str]:
        """Codes with labels, including the missing codes."""
        return {**self.codes, **MISSING_LABELS}


@dataclass(frozen=True, slots=True)
class IssueOption:
    """One option of the multiple-choice "biggest issues" question."""

    variable: str
    label: str
    crime_groups: tuple[str, ...]
    share: float
    """The population share choosing it."""
    age_effects: tuple[float, ...]


SAFE_CODES = {1: "Very safe", 2: "Fairly safe", 3: "A bit unsafe", 4: "Very unsafe"}
YES_NO = {1: "Yes", 2: "No"}
AFTER_DARK = ScaleQuestion(
    variable="walkdark",
    header="Q1 How safe or unsafe do you feel walking alone in your local area after dark?",
    label="How safe do you feel walking alone in your local area after dark",
    codes=SAFE_CODES,
    collapsed=((1, 2), (3, 4)),
    within=((0.42, 0.58), (0.64, 0.36)),
    age_effects=(0.6, 0.45, 0.3, 0.1, -0.1, -0.35, -0.8),
    female_effect=-0.8,
    dont_know=0.025,
    refused=0.005,
)
IN_DAY = ScaleQuestion(
    variable="walkday",
    header="Q2 How safe or unsafe do you feel walking alone in your local area during the day?",
    label="How safe do you feel walking alone in your local area during the day",
    codes=SAFE_CODES,
    collapsed=((1, 2), (3, 4)),
    within=((0.7, 0.3), (0.75, 0.25)),
    age_effects=(0.2, 0.2, 0.2, 0.1, 0.0, -0.3, -0.7),
    female_effect=-0.3,
    dont_know=0.01,
    refused=0.005,
)
VICTIM = ScaleQuestion(
    variable="victim",
    header=(
        "Q3 In the last 12 months have you been a victim of any crime or anti-social "
        "behaviour in your local area?"
    ),
    label="Victim of crime or anti-social behaviour in the last 12 months",
    codes=YES_NO,
    collapsed=((1,), (2,)),
    within=((1.0,), (1.0,)),
    age_effects=(0.8, 0.5, 0.2, 0.0, -0.3, -0.7, -1.0),
    female_effect=0.0,
    dont_know=0.015,
    refused=0.01,
)
REPORTED = ScaleQuestion(
    variable="reported",
    header="Q4 If yes: did you report it to the police?",
    label="Victims: did you report it to the police (asked of victims only)",
    codes=YES_NO,
    collapsed=((1,), (2,)),
    within=((1.0,), (1.0,)),
    age_effects=(-0.5, -0.3, -0.1, 0.0, 0.2, 0.4, 0.5),
    female_effect=0.1,
    dont_know=0.02,
    refused=0.01,
)
WORRY_BURGLARY = ScaleQuestion(
    variable="worryburg",
    header="Q5 How worried are you about having your home broken into and something stolen?",
    label="Worry about having your home broken into and something stolen",
    codes={
        1: "Very worried",
        2: "Fairly worried",
        3: "Not very worried",
        4: "Not at all worried",
    },
    collapsed=((1, 2), (3, 4)),
    within=((0.3, 0.7), (0.6, 0.4)),
    age_effects=(-0.3, -0.1, 0.1, 0.2, 0.2, 0.1, 0.0),
    female_effect=0.2,
    dont_know=0.015,
    refused=0.005,
)
SATISFACTION = ScaleQuestion(
    variable="satisfied",
    header=(
        "Q7 How satisfied are you with the way the Safe Demoton Partnership deals with "
        "crime and anti-social behaviour in your area?"
    ),
    label="Satisfaction with how the partnership deals with crime and ASB in the area",
    codes={
        1: "Very satisfied",
        2: "Fairly satisfied",
        3: "Neither satisfied nor dissatisfied",
        4: "Fairly dissatisfied",
        5: "Very dissatisfied",
    },
    collapsed=((1, 2), (3, 4, 5)),
    within=((0.25, 0.75), (0.45, 0.35, 0.2)),
    age_effects=(-0.4, -0.3, -0.2, -0.1, 0.1, 0.3, 0.4),
    female_effect=0.0,
    dont_know=0.06,
    refused=0.005,
)
SCALE_QUESTIONS = (AFTER_DARK, IN_DAY, VICTIM, REPORTED, WORRY_BURGLARY, SATISFACTION)

POPULATION_SHARES: dict[str, tuple[float, float]] = {
    AFTER_DARK.variable: (0.74, 0.66),
    IN_DAY.variable: (0.93, 0.93),
    VICTIM.variable: (0.29, 0.29),
    REPORTED.variable: (0.42, 0.42),
    WORRY_BURGLARY.variable: (0.36, 0.36),
    SATISFACTION.variable: (0.52, 0.52),
}
"""The planted population share of each question's first collapsed group, first and second waves.

Only feeling safe after dark changes (74% -> 66%); ``reported`` is the share of victims who
reported (so 58% did not report)."""
PLANTED_CHANGE_VARIABLE = AFTER_DARK.variable

ISSUES_HEADER = "Q6 Which of these do you think are the biggest issues in your local area?"
ISSUE_OPTIONS = (
    IssueOption(
        "issue_asb", "Anti-social behaviour", ("asb",), 0.46, (0.0, 0.0, 0.1, 0.1, 0.2, 0.2, 0.1)
    ),
    IssueOption(
        "issue_drugs", "Drug dealing and drug use", ("drugs",), 0.38, (0.3, 0.2, 0.1, 0, 0, 0, -0.2)
    ),
    IssueOption(
        "issue_burglary", "Burglary", ("burglary",), 0.22, (-0.4, -0.2, 0.0, 0.1, 0.2, 0.3, 0.3)
    ),
    IssueOption(
        "issue_violence",
        "Violent crime",
        ("violence_and_sexual_offences",),
        0.21,
        (0.4, 0.3, 0.1, 0.0, -0.1, -0.2, -0.3),
    ),
    IssueOption(
        "issue_knives",
        "Knife crime and weapons",
        ("possession_of_weapons",),
        0.16,
        (0.5, 0.3, 0.1, 0.0, -0.1, -0.2, -0.3),
    ),
    IssueOption(
        "issue_vehicle",
        "Vehicle crime",
        ("vehicle_crime",),
        0.17,
        (-0.2, 0.0, 0.1, 0.1, 0.1, 0.0, -0.1),
    ),
    IssueOption(
        "issue_damage",
        "Vandalism and criminal damage",
        ("criminal_damage_and_arson",),
        0.19,
        (-0.1, 0.0, 0.0, 0.1, 0.1, 0.1, 0.1),
    ),
    IssueOption(
        "issue_theft",
        "Robbery and theft from the person",
        ("robbery", "theft_from_the_person"),
        0.12,
        (0.3, 0.2, 0.0, 0.0, -0.1, -0.1, -0.1),
    ),
)
ISSUE_SKIPPED = 0.02
"""Share of respondents who leave the whole "biggest issues" question blank (not asked)."""
ISSUE_CODES = {0: "No", 1: "Yes"}

ETHNICITY_CODES = {
    1: "White",
    2: "Mixed or multiple ethnic groups",
    3: "Asian or Asian British",
    4: "Black, Black British, Caribbean or African",
    5: "Other ethnic group",
}
WHITE_SHARE_BY_AGE_BAND = (0.70, 0.74, 0.80, 0.85, 0.89, 0.92, 0.94)
NON_WHITE_SPLIT = (0.15, 0.45, 0.25, 0.15)
"""How the others split between mixed, Asian, Black and other ethnic groups."""
DISABILITY_BY_AGE_BAND = (0.10, 0.12, 0.15, 0.20, 0.27, 0.33, 0.45)
TENURE_CODES = {
    1: "Owned outright",
    2: "Owned with a mortgage or loan",
    3: "Rented from the council or a housing association",
    4: "Rented privately",
    5: "Other",
}
TENURE_BY_AGE_BAND = (
    (0.05, 0.15, 0.20, 0.50, 0.10),
    (0.05, 0.30, 0.20, 0.42, 0.03),
    (0.08, 0.50, 0.18, 0.22, 0.02),
    (0.20, 0.45, 0.17, 0.16, 0.02),
    (0.45, 0.25, 0.17, 0.11, 0.02),
    (0.70, 0.05, 0.17, 0.06, 0.02),
    (0.72, 0.02, 0.18, 0.05, 0.03),
)
CHARACTERISTIC_REFUSED = {
    "agegrp": 0.005,
    "sex": 0.01,
    "ethnic": 0.02,
    "disab": 0.02,
    "tenure": 0.02,
}
"""Share answering "Prefer not to say" to each characteristic."""


@dataclass(frozen=True, slots=True)
class AdultPopulation:
    """The city's adults as cells: LSOA x single year of age (16..90+) x sex, with counts."""

    lsoa: IntArray
    age: IntArray
    sex: IntArray
    """0 male, 1 female."""
    count: IntArray
    ward: IntArray
    """The ward (index) of each cell's LSOA."""

    @property
    def age_band(self) -> IntArray:
        """The age band (index into :data:`AGE_BANDS`) of each cell."""
        return age_band_index(self.age)


def age_band_index(age: IntArray) -> IntArray:
    """The position in :data:`AGE_BANDS` of each age."""
    starts = np.array([first for _, first, _ in AGE_BANDS])
    index: IntArray = np.searchsorted(starts, age, side="right") - 1
    return index


def female_share_by_age() -> FloatArray:
    """The share of women at each age 0..90+: about 49% to 45, rising to 68% at 90 and over.

    Shape follows the ONS mid-year estimates for England (more women than men from the
    fifties, about two women to each man over 90).
    """
    age = np.arange(OPEN_AGE + 1, dtype=np.float64)
    share = np.where(age < 45, 0.49, 0.49 + (age - 45) * (0.68 - 0.49) / (OPEN_AGE - 45))
    return np.asarray(share, dtype=np.float64)


def split_by_sex(*, persons: IntArray, rng: np.random.Generator) -> tuple[IntArray, IntArray]:
    """Split persons by LSOA x age (shape ``(n, 91)``) into males and females (binomial)."""
    female = rng.binomial(persons, female_share_by_age()[None, :]).astype(np.int64)
    male: IntArray = persons - female
    return male, female


def adult_population(*, male: IntArray, female: IntArray, lsoa_ward: IntArray) -> AdultPopulation:
    """Cells of the adults (16 and over) from populations by LSOA x age (``(n, 91)`` each)."""
    lsoas, ages = male.shape
    adult_ages = np.arange(MINIMUM_AGE, ages)
    by_sex = np.stack([male[:, MINIMUM_AGE:], female[:, MINIMUM_AGE:]], axis=2)
    lsoa, age_position, sex = np.meshgrid(
        np.arange(lsoas), np.arange(adult_ages.size), np.arange(2), indexing="ij"
    )
    return AdultPopulation(
        lsoa=lsoa.ravel().astype(np.int64),
        age=adult_ages[age_position.ravel()].astype(np.int64),
        sex=sex.ravel().astype(np.int64),
        count=by_sex.ravel().astype(np.int64),
        ward=lsoa_ward[lsoa.ravel()].astype(np.int64),
    )


def _expit(x: FloatArray) -> FloatArray:
    result: FloatArray = 1.0 / (1.0 + np.exp(-x))
    return result


def solve_intercept(*, linear: FloatArray, weights: FloatArray, target: float) -> float:
    """The ``alpha`` with ``sum(w * expit(alpha + linear)) / sum(w) == target`` (bisection).

    Cells with the same linear predictor are pooled first (a few hundred distinct values), and
    the interval is halved until it is narrower than 1e-12.
    """
    values, inverse = np.unique(linear, return_inverse=True)
    pooled = np.bincount(inverse.ravel(), weights=weights, minlength=values.size)
    total = float(pooled.sum())
    low, high = -20.0, 20.0
    while high - low > 1e-12:
        middle = (low + high) / 2.0
        share = float((pooled * _expit(middle + values)).sum()) / total
        if share < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2.0


@dataclass(frozen=True, slots=True)
class OutcomeModel:
    """Per-cell probabilities of every question's "yes" outcome, for one wave."""

    probability: dict[str, FloatArray]
    issue_probability: dict[str, FloatArray]


def outcome_model(
    *, population: AdultPopulation, ward_effects: FloatArray, wave_index: int
) -> OutcomeModel:
    """Cell probabilities with intercepts solved to the planted population shares."""
    band, female = population.age_band, population.sex == 1
    weights = population.count.astype(np.float64)
    probability: dict[str, FloatArray] = {}
    for question in SCALE_QUESTIONS:
        linear = (
            np.asarray(question.age_effects)[band]
            + question.female_effect * female
            + ward_effects[population.ward]
        )
        base = weights
        if question is REPORTED:
            base = weights * probability[VICTIM.variable]
        target = POPULATION_SHARES[question.variable][wave_index]
        alpha = solve_intercept(linear=linear, weights=base, target=target)
        probability[question.variable] = _expit(alpha + linear)
    issues: dict[str, FloatArray] = {}
    for option in ISSUE_OPTIONS:
        linear = np.asarray(option.age_effects)[band]
        alpha = solve_intercept(linear=linear, weights=weights, target=option.share)
        issues[option.variable] = _expit(alpha + linear)
    return OutcomeModel(probability=probability, issue_probability=issues)


def response_propensity(population: AdultPopulation) -> FloatArray:
    """Each cell's probability that an issued adult responds (expected 2,500 of 10,000)."""
    relative = RESPONSE_BY_AGE_BAND[population.age_band] * RESPONSE_BY_SEX[population.sex]
    mean = float((relative * population.count).sum() / population.count.sum())
    propensity: FloatArray = relative * (EXPECTED_RESPONDENTS / ISSUED_SAMPLE) / mean
    return propensity


def _scale_answers(
    *, question: ScaleQuestion, outcome: npt.NDArray[np.bool_], rng: np.random.Generator
) -> FloatArray:
    """Codes (float, for missing) of a scale question from the binary outcome."""
    size = outcome.size
    codes = np.empty(size, dtype=np.float64)
    for group_index, (group, within) in enumerate(
        zip(question.collapsed, question.within, strict=True)
    ):
        members = outcome if group_index == 0 else ~outcome
        codes[members] = rng.choice(np.asarray(group), size=int(members.sum()), p=within)
    draw = rng.random(size)
    codes[draw < question.dont_know] = DONT_KNOW
    codes[(draw >= question.dont_know) & (draw < question.dont_know + question.refused)] = REFUSED
    return codes


def _with_refusals(codes: FloatArray, *, share: float, rng: np.random.Generator) -> FloatArray:
    refused = rng.random(codes.size) < share
    result = codes.copy()
    result[refused] = REFUSED
    return result


def draw_respondents(
    *,
    population: AdultPopulation,
    model: OutcomeModel,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """One wave's respondents: answers as codes (NaN: not asked) and the true values.

    Columns: ``agegrp, sex, ethnic, disab, tenure`` and every question's variable (codes as
    in :data:`SCALE_QUESTIONS`, :data:`ISSUE_OPTIONS`), plus the truth for tests: ``lsoa``,
    ``ward`` (indices), ``true_age``, ``true_sex`` (0 male, 1 female), ``true_age_band``
    (index) and ``response_propensity`` (the probability that an issued adult like this one
    responded: the inclusion probability is proportional to it).
    """
    share = population.count / population.count.sum()
    issued = rng.multinomial(ISSUED_SAMPLE, share)
    propensity = response_propensity(population)
    responded = rng.binomial(issued, np.clip(propensity, 0.0, 1.0))
    cell = np.repeat(np.arange(population.count.size), responded)
    rng.shuffle(cell)
    size = cell.size
    band = population.age_band[cell]
    sex = population.sex[cell]
    frame: dict[str, npt.ArrayLike] = {}
    frame["agegrp"] = _with_refusals(
        (band + 1).astype(np.float64), share=CHARACTERISTIC_REFUSED["agegrp"], rng=rng
    )
    frame["sex"] = _with_refusals(
        (sex + 1).astype(np.float64), share=CHARACTERISTIC_REFUSED["sex"], rng=rng
    )
    white = rng.random(size) < np.asarray(WHITE_SHARE_BY_AGE_BAND)[band]
    other = rng.choice(np.arange(2, 6), size=size, p=NON_WHITE_SPLIT)
    frame["ethnic"] = _with_refusals(
        np.where(white, 1, other).astype(np.float64),
        share=CHARACTERISTIC_REFUSED["ethnic"],
        rng=rng,
    )
    disabled = rng.random(size) < np.asarray(DISABILITY_BY_AGE_BAND)[band]
    frame["disab"] = _with_refusals(
        np.where(disabled, 1, 2).astype(np.float64), share=CHARACTERISTIC_REFUSED["disab"], rng=rng
    )
    cumulative = np.cumsum(np.asarray(TENURE_BY_AGE_BAND), axis=1)[band]
    tenure = (rng.random(size)[:, None] > cumulative).sum(axis=1) + 1
    frame["tenure"] = _with_refusals(
        np.minimum(tenure, 5).astype(np.float64), share=CHARACTERISTIC_REFUSED["tenure"], rng=rng
    )
    outcomes: dict[str, npt.NDArray[np.bool_]] = {}
    for question in SCALE_QUESTIONS:
        outcome = rng.random(size) < model.probability[question.variable][cell]
        outcomes[question.variable] = outcome
        frame[question.variable] = _scale_answers(question=question, outcome=outcome, rng=rng)
    victim = np.asarray(frame[VICTIM.variable]) == 1
    frame[REPORTED.variable] = np.where(victim, frame[REPORTED.variable], np.nan)
    skipped = rng.random(size) < ISSUE_SKIPPED
    for option in ISSUE_OPTIONS:
        chosen = rng.random(size) < model.issue_probability[option.variable][cell]
        frame[option.variable] = np.where(skipped, np.nan, chosen.astype(np.float64))
    frame["lsoa"] = population.lsoa[cell]
    frame["ward"] = population.ward[cell]
    frame["true_age"] = population.age[cell]
    frame["true_sex"] = sex
    frame["true_age_band"] = band
    frame["response_propensity"] = propensity[cell]
    frame["postcode_given"] = rng.random(size) < POSTCODE_GIVEN
    return pd.DataFrame(frame)
