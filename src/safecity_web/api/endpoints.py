"""The one description of the API: every endpoint, its parameters and its response.

Views validate their requests with these :class:`Endpoint` objects and the OpenAPI document
(:mod:`safecity_web.api.openapi`) is built from them, so what is documented is what is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.http import HttpRequest

from safecity_web import core_gateway
from safecity_web.api.pagination import PAGINATION_PARAMETERS
from safecity_web.api.parameters import (
    GSS_CODE_PATTERN,
    IDENTIFIER_PATTERN,
    PERIOD_PATTERN,
    Parameter,
    ParameterKind,
    ParameterLocation,
    parse_path,
    parse_query,
)
from safecity_web.observatory.models import AreaLevel, AssessmentStatus
from safecity_web.reporting.models import Channel

API_PREFIX = "/api/v1"
API_VERSION = "1.0.0"

AREA_LEVELS = tuple(AreaLevel.values)
AREA_LEVEL_TEXT = "one of " + ", ".join(AREA_LEVELS)


class Tag(StrEnum):
    """Groups of endpoints in the documentation."""

    ABOUT = "About"
    ASSESSMENTS = "Assessments"
    INDICATORS = "Indicators"
    AREAS = "Areas"
    VALUES = "Values"
    DOWNLOADS = "Downloads"
    SURVEY = "Survey"
    COMMUNITY_REPORTS = "Community reports"


class MediaType(StrEnum):
    """What an endpoint answers with."""

    JSON = "application/json"
    HTML = "text/html"


def gss_parameter(
    name: str, description: str, *, location: ParameterLocation = ParameterLocation.QUERY
) -> Parameter:
    """A parameter holding a GSS code."""
    return Parameter(
        name=name,
        description=description,
        expected="a GSS code: a capital E, W, S, N or K and eight digits, e.g. E05002462",
        pattern=GSS_CODE_PATTERN,
        location=location,
        example="E22900001",
    )


ASSESSMENT = Parameter(
    name="assessment",
    description="Only this published or superseded assessment (its `id`); without it, the "
    "currently published assessments.",
    expected="a whole number from 1 (an assessment's id)",
    kind=ParameterKind.INTEGER,
    minimum=1,
    example=1,
)
INDICATOR = Parameter(
    name="indicator",
    description="Only this indicator (its `indicator_id`).",
    expected="an indicator id: lower-case letters, digits and underscores, e.g. all_crime",
    pattern=IDENTIFIER_PATTERN,
    example="all_crime",
)
AREA = gss_parameter("area", "Only this area (GSS code).")
AREA_LEVEL = Parameter(
    name="area_level",
    description="Only areas of this level.",
    expected=AREA_LEVEL_TEXT,
    choices=AREA_LEVELS,
    example="ward",
)
LEVEL = Parameter(
    name="level",
    description="Only areas of this level.",
    expected=AREA_LEVEL_TEXT,
    choices=AREA_LEVELS,
    example="ward",
)
PARENT = gss_parameter("parent", "Only areas lying in this area (GSS code).")
PERIOD = Parameter(
    name="period",
    description="Only this period, a financial year such as 2024/25.",
    expected="a financial year written like 2024/25",
    pattern=PERIOD_PATTERN,
    example="2024/25",
)
STATUS = Parameter(
    name="status",
    description="Only current (published) or archived (superseded) assessments.",
    expected="published or superseded",
    choices=(AssessmentStatus.PUBLISHED.value, AssessmentStatus.SUPERSEDED.value),
    example="published",
)
TOPIC = Parameter(
    name="topic",
    description="Only findings about this indicator (its `indicator_id`).",
    expected="an indicator id: lower-case letters, digits and underscores, e.g. all_crime",
    pattern=IDENTIFIER_PATTERN,
    example="all_crime",
)
SIGNIFICANT = Parameter(
    name="significant",
    description="Only findings that rest (true) or do not rest (false) on a significant test.",
    expected="true or false",
    kind=ParameterKind.BOOLEAN,
    example=True,
)
INDICATOR_ID = Parameter(
    name="indicator_id",
    description="The indicator's id.",
    expected="an indicator id: lower-case letters, digits and underscores, e.g. all_crime",
    pattern=IDENTIFIER_PATTERN,
    location=ParameterLocation.PATH,
    example="all_crime",
)
GSS_CODE = gss_parameter("gss_code", "The area's GSS code.", location=ParameterLocation.PATH)
ASSESSMENT_ID = Parameter(
    name="assessment_id",
    description="The assessment's id.",
    expected="a whole number from 1 (an assessment's id)",
    kind=ParameterKind.INTEGER,
    minimum=1,
    location=ParameterLocation.PATH,
    example=1,
)

EMPTY_REASON_TEXT = (
    " An empty result is never bare: `meta.reason` says why nothing matches (an unknown "
    "area or indicator, no published data for the period, nothing published yet)."
)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One GET endpoint: where it is, what it takes, what it answers.

    ``path`` is relative to ``/api/v1`` in OpenAPI form (``/areas/{gss_code}``); ``response``
    names a component of :data:`safecity_web.api.schemas.COMPONENTS`.
    """

    path: str
    operation_id: str
    summary: str
    description: str
    tag: Tag
    response: str
    parameters: tuple[Parameter, ...] = ()
    paginated: bool = False
    not_found: bool = False
    media_type: MediaType = MediaType.JSON
    example_arguments: Mapping[str, str] = field(default_factory=dict)

    @property
    def all_parameters(self) -> tuple[Parameter, ...]:
        """Its parameters, with ``page`` and ``page_size`` when it is paginated."""
        return self.parameters + (PAGINATION_PARAMETERS if self.paginated else ())

    @property
    def full_path(self) -> str:
        """The path from the site root, e.g. ``/api/v1/areas/{gss_code}``."""
        return API_PREFIX + self.path

    def parse(self, request: HttpRequest, arguments: Mapping[str, str]) -> dict[str, Any]:
        """The request's validated path and query parameters (query defaults filled in)."""
        values: dict[str, Any] = dict(parse_path(arguments, parameters=self.all_parameters))
        values.update(parse_query(request.GET, parameters=self.all_parameters))
        return values

    def example_path(self, identifiers: Mapping[str, str] | None = None) -> str:
        """A request to show in the documentation, path parameters filled in.

        A path parameter takes its value from ``identifiers`` (ids that exist in the published
        data) when it is there, else the parameter's documented example.
        """
        path = self.full_path
        for parameter in self.all_parameters:
            if parameter.location is ParameterLocation.PATH:
                value = (identifiers or {}).get(parameter.name, str(parameter.example))
                path = path.replace("{" + parameter.name + "}", value)
        query = "&".join(f"{name}={value}" for name, value in self.example_arguments.items())
        return f"{path}?{query}" if query else path


INDEX = Endpoint(
    path="/",
    operation_id="index",
    summary="Where everything is",
    description="Links to every resource, the licence, and the currently published assessments.",
    tag=Tag.ABOUT,
    response="Index",
)
OPENAPI = Endpoint(
    path="/openapi.json",
    operation_id="openapi",
    summary="This API's OpenAPI 3.1 document",
    description="The machine-readable description of every endpoint, parameter and response.",
    tag=Tag.ABOUT,
    response="OpenApiDocument",
)
DOCS = Endpoint(
    path="/docs/",
    operation_id="docs",
    summary="This documentation, as a web page",
    description="Endpoints, parameters, example requests and responses, for people.",
    tag=Tag.ABOUT,
    response="",
    media_type=MediaType.HTML,
)
ASSESSMENTS = Endpoint(
    path="/assessments",
    operation_id="listAssessments",
    summary="Published assessments",
    description="Every published (current) and superseded (archived) Strategic Assessment; "
    "drafts never appear." + EMPTY_REASON_TEXT,
    tag=Tag.ASSESSMENTS,
    response="AssessmentList",
    parameters=(gss_parameter("area", "Only assessments of this area (GSS code)."), STATUS),
    paginated=True,
    example_arguments={"status": "published"},
)
ASSESSMENT_DETAIL = Endpoint(
    path="/assessments/{assessment_id}",
    operation_id="getAssessment",
    summary="One published assessment",
    description="An assessment with its provenance (parameters, vintages, software versions, "
    "what was not computed and why).",
    tag=Tag.ASSESSMENTS,
    response="AssessmentResponse",
    parameters=(ASSESSMENT_ID,),
    not_found=True,
)
INDICATORS = Endpoint(
    path="/indicators",
    operation_id="listIndicators",
    summary="Indicators",
    description="Every indicator with published values: definition, polarity, method, "
    "caveats." + EMPTY_REASON_TEXT,
    tag=Tag.INDICATORS,
    response="IndicatorList",
    paginated=True,
    example_arguments={"page_size": "5"},
)
INDICATOR_DETAIL = Endpoint(
    path="/indicators/{indicator_id}",
    operation_id="getIndicator",
    summary="One indicator",
    description="What the indicator measures and where its values and files are; "
    "`not_assessed` says why a current assessment did not assess it. One without public "
    "values is answered 404, with that reason as the message when there is one.",
    tag=Tag.INDICATORS,
    response="IndicatorResponse",
    parameters=(INDICATOR_ID,),
    not_found=True,
)
AREAS = Endpoint(
    path="/areas",
    operation_id="listAreas",
    summary="Areas",
    description="Every area with published values (the partnership, its wards and "
    "neighbourhoods), by GSS code and boundary vintage." + EMPTY_REASON_TEXT,
    tag=Tag.AREAS,
    response="AreaList",
    parameters=(LEVEL, PARENT),
    paginated=True,
    example_arguments={"level": "ward"},
)
AREA_DETAIL = Endpoint(
    path="/areas/{gss_code}",
    operation_id="getArea",
    summary="One area",
    description="An area and links to its values, the areas within it and its parent. When "
    "the code exists in more than one boundary vintage, the latest is answered.",
    tag=Tag.AREAS,
    response="AreaResponse",
    parameters=(GSS_CODE,),
    not_found=True,
)
VALUES = Endpoint(
    path="/values",
    operation_id="listValues",
    summary="Indicator values",
    description="Values of indicators for areas and periods, with confidence intervals, change "
    "from the baseline and its test, benchmark label and rank. A value withheld by "
    "small-number suppression is answered as `value: null, suppressed: true`: its count, "
    "rate and interval are never sent." + EMPTY_REASON_TEXT,
    tag=Tag.VALUES,
    response="ValueList",
    parameters=(INDICATOR, AREA, AREA_LEVEL, PERIOD, ASSESSMENT),
    paginated=True,
    example_arguments={"indicator": "all_crime", "area_level": "ward"},
)
FINDINGS = Endpoint(
    path="/findings",
    operation_id="listFindings",
    summary="Findings",
    description="The plain-English findings of the assessments, each with the value rows "
    "that evidence it." + EMPTY_REASON_TEXT,
    tag=Tag.VALUES,
    response="FindingList",
    parameters=(TOPIC, SIGNIFICANT, ASSESSMENT),
    paginated=True,
    example_arguments={"significant": "true"},
)
DOWNLOADS = Endpoint(
    path="/downloads",
    operation_id="listDownloads",
    summary="Downloads",
    description="For each indicator, its published values as CSV and JSON files."
    + EMPTY_REASON_TEXT,
    tag=Tag.DOWNLOADS,
    response="DownloadList",
    parameters=(INDICATOR,),
    paginated=True,
    example_arguments={"indicator": "all_crime"},
)

WAVE_PATTERN = core_gateway.survey_wave_pattern()
WAVE = Parameter(
    name="wave",
    description="Only this survey wave (its label, e.g. 2022).",
    expected="a wave label: up to 64 letters, digits, spaces, '.', '_', '/' or '-', e.g. 2022",
    pattern=WAVE_PATTERN,
    example="2022",
)
MEASURE = Parameter(
    name="measure",
    description="Only this survey measure (its id, e.g. feels_safe_after_dark).",
    expected="a measure id: lower-case letters, digits and underscores",
    pattern=IDENTIFIER_PATTERN,
    example="feels_safe_after_dark",
)
GROUP_VARIABLE = Parameter(
    name="group_variable",
    description="Only estimates for this grouping of residents (`all` for everyone, or a "
    "characteristic such as age_band or sex).",
    expected="a grouping id: lower-case letters, digits and underscores, e.g. all",
    pattern=IDENTIFIER_PATTERN,
    example="all",
)
COMPARISON = Parameter(
    name="comparison",
    description="Only comparisons between survey waves (`waves`) or between groups of "
    "residents in one wave (`groups`).",
    expected="waves or groups",
    choices=("waves", "groups"),
    example="waves",
)
SURVEY_SUPPRESSION_TEXT = (
    " An estimate resting on fewer respondents than the published minimum is answered with "
    "`suppressed: true` and `value`, `lower_ci` and `upper_ci` null: its number is never sent."
)
SURVEY_WAVES = Endpoint(
    path="/survey/waves",
    operation_id="listSurveyWaves",
    summary="Residents' survey waves",
    description="The waves of the residents' survey each assessment used: fieldwork dates, "
    "respondents, weighting, design effect, effective sample size and why the wave was used "
    "(in, before or after the assessed period). No respondent-level data are published."
    + EMPTY_REASON_TEXT,
    tag=Tag.SURVEY,
    response="SurveyWaveList",
    parameters=(ASSESSMENT,),
    paginated=True,
)
SURVEY_ESTIMATES = Endpoint(
    path="/survey/estimates",
    operation_id="listSurveyEstimates",
    summary="Residents' survey estimates",
    description="Weighted shares of residents (0 to 1) with their confidence intervals, "
    "interval method and unweighted base, for everyone and by group, by wave; the options of "
    "a multiple-choice question are ranked." + SURVEY_SUPPRESSION_TEXT + EMPTY_REASON_TEXT,
    tag=Tag.SURVEY,
    response="SurveyEstimateList",
    parameters=(WAVE, MEASURE, GROUP_VARIABLE, ASSESSMENT),
    paginated=True,
    example_arguments={"group_variable": "all"},
)
SURVEY_COMPARISONS = Endpoint(
    path="/survey/comparisons",
    operation_id="listSurveyComparisons",
    summary="Residents' survey comparisons",
    description="Differences between survey waves and between groups of residents, with the "
    "difference's confidence interval, the test, its p-value and whether it is significant."
    " A comparison resting on a suppressed estimate carries no numbers." + EMPTY_REASON_TEXT,
    tag=Tag.SURVEY,
    response="SurveyComparisonList",
    parameters=(COMPARISON, MEASURE, ASSESSMENT),
    paginated=True,
    example_arguments={"comparison": "waves"},
)

KIND = Parameter(
    name="kind",
    description="Only reports of this kind (`hate`, `concern`, `business`, or another kind the "
    "partnership configured).",
    expected="a kind id: lower-case letters, digits and underscores, e.g. hate",
    pattern=IDENTIFIER_PATTERN,
    example="hate",
)
CHANNEL = Parameter(
    name="channel",
    description="Only reports made through this channel.",
    expected="one of " + ", ".join(Channel.values),
    choices=tuple(Channel.values),
    example="public_form",
)
WARD = gss_parameter("ward", "Only this ward (GSS code).")
COMMUNITY_REPORTS_TEXT = (
    " Community reports are a protected source: a count below the published minimum (5 by "
    "default), or one from which such a count could be worked out, is answered with "
    "`suppressed: true` and the count (and any losses) null: it is never sent. When an "
    "assessment did not assess community reports (none were loaded), the list is empty and "
    "`meta.reason` says why: never zeros."
)
COMMUNITY_REPORTS_SUMMARY = Endpoint(
    path="/community-reports/summary",
    operation_id="listCommunityReportsSummary",
    summary="Community reports by kind and channel",
    description="Reports received by the partnership (hate incidents, community safety "
    "concerns, business crime) by kind and the channel they came through, in the assessed "
    "period and the one before, with the losses businesses recorded."
    + COMMUNITY_REPORTS_TEXT
    + EMPTY_REASON_TEXT,
    tag=Tag.COMMUNITY_REPORTS,
    response="CommunityReportsSummaryList",
    parameters=(KIND, CHANNEL, ASSESSMENT),
    paginated=True,
    example_arguments={"kind": "hate"},
)
COMMUNITY_REPORTS_MONTHLY = Endpoint(
    path="/community-reports/monthly",
    operation_id="listCommunityReportsMonthly",
    summary="Community reports by month",
    description="Reports of each kind by the month they were received (YYYY-MM)."
    + COMMUNITY_REPORTS_TEXT
    + EMPTY_REASON_TEXT,
    tag=Tag.COMMUNITY_REPORTS,
    response="CommunityReportsMonthlyList",
    parameters=(KIND, ASSESSMENT),
    paginated=True,
    example_arguments={"kind": "concern"},
)
COMMUNITY_REPORTS_STRANDS = Endpoint(
    path="/community-reports/strands",
    operation_id="listCommunityReportsStrands",
    summary="Hate incident reports by strand beside police-recorded hate crime",
    description="Community reports of hate incidents by strand (a report naming two strands "
    "counts in both), beside hate crime the police recorded with that strand's flag; "
    "`police_recorded` is null with `police_recorded_note` saying why when no force extract "
    "was loaded or the strand has no police flag." + COMMUNITY_REPORTS_TEXT + EMPTY_REASON_TEXT,
    tag=Tag.COMMUNITY_REPORTS,
    response="CommunityReportsStrandList",
    parameters=(ASSESSMENT,),
    paginated=True,
)
COMMUNITY_REPORTS_WARDS = Endpoint(
    path="/community-reports/wards",
    operation_id="listCommunityReportsWards",
    summary="Community reports by ward",
    description="Reports of each kind by the ward they were placed in (reports made online or "
    "without a place are in no ward)." + COMMUNITY_REPORTS_TEXT + EMPTY_REASON_TEXT,
    tag=Tag.COMMUNITY_REPORTS,
    response="CommunityReportsWardList",
    parameters=(WARD, KIND, ASSESSMENT),
    paginated=True,
    example_arguments={"kind": "hate"},
)
COMMUNITY_REPORTS_BUSINESS = Endpoint(
    path="/community-reports/business",
    operation_id="listCommunityReportsBusiness",
    summary="Business crime reports and losses",
    description="Crimes and incidents reported by businesses by category, with the losses "
    "they recorded in pounds (null when none was recorded)."
    + COMMUNITY_REPORTS_TEXT
    + EMPTY_REASON_TEXT,
    tag=Tag.COMMUNITY_REPORTS,
    response="CommunityReportsBusinessList",
    parameters=(ASSESSMENT,),
    paginated=True,
)

ENDPOINTS: tuple[Endpoint, ...] = (
    INDEX,
    ASSESSMENTS,
    ASSESSMENT_DETAIL,
    INDICATORS,
    INDICATOR_DETAIL,
    AREAS,
    AREA_DETAIL,
    VALUES,
    FINDINGS,
    DOWNLOADS,
    SURVEY_WAVES,
    SURVEY_ESTIMATES,
    SURVEY_COMPARISONS,
    COMMUNITY_REPORTS_SUMMARY,
    COMMUNITY_REPORTS_MONTHLY,
    COMMUNITY_REPORTS_STRANDS,
    COMMUNITY_REPORTS_WARDS,
    COMMUNITY_REPORTS_BUSINESS,
    OPENAPI,
    DOCS,
)
"""Every endpoint, in the documentation's order."""
