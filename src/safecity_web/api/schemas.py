"""JSON Schemas (OpenAPI 3.1 / JSON Schema 2020-12) of everything the API answers.

The OpenAPI document's ``components.schemas`` is :data:`COMPONENTS`; the contract tests
validate real responses against these same objects.
"""

from __future__ import annotations

from typing import Any

from safecity_web.api.errors import ErrorCode
from safecity_web.api.parameters import GSS_CODE_PATTERN, IDENTIFIER_PATTERN
from safecity_web.observatory.models import AreaLevel, AssessmentStatus, Polarity

PUBLIC_STATUSES = [AssessmentStatus.PUBLISHED.value, AssessmentStatus.SUPERSEDED.value]


def reference(name: str) -> dict[str, str]:
    """A ``$ref`` to the component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(type_name: str, description: str) -> dict[str, Any]:
    """A schema for a value of ``type_name`` that may be null."""
    return {"type": [type_name, "null"], "description": description}


def text(description: str) -> dict[str, Any]:
    """A schema for a string."""
    return {"type": "string", "description": description}


def url(description: str) -> dict[str, Any]:
    """A schema for an absolute URL."""
    return {"type": "string", "format": "uri", "description": description}


def closed_object(properties: dict[str, Any], description: str) -> dict[str, Any]:
    """An object with exactly ``properties``, all required: nothing undocumented is sent."""
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


GSS_CODE = {"type": "string", "pattern": GSS_CODE_PATTERN, "description": "ONS GSS code."}

ERROR = closed_object(
    {
        "error": closed_object(
            {
                "code": {
                    "type": "string",
                    "enum": [str(code) for code in ErrorCode],
                    "description": "What went wrong, as a stable code.",
                },
                "message": text("What is wrong and, where it helps, what would be right."),
                "parameter": nullable("string", "The parameter at fault, if one is."),
            },
            "The error.",
        )
    },
    "Every error the API answers (status 400, 404, 405 or 429).",
)

COLLECTION_META = {
    "type": "object",
    "description": "How many rows match, which page this is, and why the result is empty when "
    "it is.",
    "properties": {
        "total": {"type": "integer", "minimum": 0, "description": "Rows matching the filters."},
        "page": {"type": "integer", "minimum": 1},
        "page_size": {"type": "integer", "minimum": 1, "maximum": 500},
        "pages": {"type": "integer", "minimum": 1},
        "reason": text(
            "Present exactly when `total` is 0: why nothing matches, e.g. 'unknown area "
            "E05099999' or 'no published data for E05002462 in 2019/20'."
        ),
    },
    "required": ["total", "page", "page_size", "pages"],
    "additionalProperties": False,
    "if": {"properties": {"total": {"const": 0}}},
    "then": {"required": ["reason"]},
    "else": {"not": {"required": ["reason"]}},
}

COLLECTION_LINKS = closed_object(
    {
        "self": url("This page."),
        "first": url("The first page."),
        "last": url("The last page."),
        "prev": {"type": ["string", "null"], "format": "uri", "description": "Previous page."},
        "next": {"type": ["string", "null"], "format": "uri", "description": "Next page."},
    },
    "Links to this page and its neighbours; other parameters are kept.",
)

ASSESSMENT_LINKS = closed_object(
    {
        "self": url("This assessment in the API."),
        "values": url("Its indicator values."),
        "findings": url("Its findings."),
    },
    "Where to read more of the assessment.",
)

ASSESSMENT = closed_object(
    {
        "id": {"type": "integer", "description": "Identifier; the values' `assessment`."},
        "area_code": GSS_CODE,
        "area_name": text("Name of the assessed area."),
        "area_level": {"type": "string", "enum": list(AreaLevel.values)},
        "period": text("The assessed period, e.g. 2024/25."),
        "baseline": nullable("string", "The period changes are measured against."),
        "status": {
            "type": "string",
            "enum": PUBLIC_STATUSES,
            "description": "published (current) or superseded (archived); drafts never appear.",
        },
        "published_at": {"type": ["string", "null"], "format": "date-time"},
        "artefact_created_at": {"type": ["string", "null"], "format": "date-time"},
        "confidence": {"type": "number", "description": "Confidence level of the intervals."},
        "links": ASSESSMENT_LINKS,
    },
    "A published Strategic Assessment.",
)

ASSESSMENT_DETAIL = {
    **ASSESSMENT,
    "properties": {
        **ASSESSMENT["properties"],
        "provenance": closed_object(
            {
                "parameters": {"type": "object", "description": "Period, baseline, settings."},
                "vintages": {"type": "object", "description": "Geography and data vintages."},
                "versions": {"type": "object", "description": "Software versions."},
                "skipped": {
                    "type": "object",
                    "description": "What was not computed, and why.",
                    "additionalProperties": {"type": "string"},
                },
            },
            "From the artefact's manifest.",
        ),
    },
    "required": [*ASSESSMENT["required"], "provenance"],
}

INDICATOR = closed_object(
    {
        "indicator_id": {"type": "string", "pattern": IDENTIFIER_PATTERN},
        "name": text("Human name."),
        "definition": nullable("string", "What is counted."),
        "polarity": {"type": "string", "enum": list(Polarity.values)},
        "method": nullable("string", "How the value and its interval are computed."),
        "unit": nullable("string", "What is counted: crimes, incidents."),
        "denominator_type": nullable("string", "residents or households."),
        "multiplier": {"type": "integer", "description": "The rate is per this many."},
        "source": nullable("string", "police_uk or extract."),
        "caveats": nullable("string", "What to bear in mind."),
        "headline": {"type": "boolean", "description": "Shown on the home page."},
        "not_assessed": nullable(
            "string",
            "Why a currently published assessment did not assess it ('indicator X (name) was "
            "not assessed in <area> <period>: not assessed: needs ...'); null when every "
            "current assessment did. It then has no values there: never zero.",
        ),
        "links": closed_object(
            {
                "self": url("This indicator in the API."),
                "values": url("Its values in the current assessments."),
                "page": url("Its page on the observatory."),
                "csv": url("Its values as CSV."),
                "json": url("Its values as JSON."),
            },
            "Where to read more.",
        ),
    },
    "What an indicator measures.",
)

AREA = closed_object(
    {
        "gss_code": GSS_CODE,
        "name": text("The area's name."),
        "level": {"type": "string", "enum": list(AreaLevel.values)},
        "vintage": nullable("string", "Boundary vintage (year)."),
        "parent_code": {
            "type": ["string", "null"],
            "pattern": GSS_CODE_PATTERN,
            "description": "GSS code of the area it lies in.",
        },
        "links": closed_object(
            {
                "self": url("This area in the API."),
                "values": url("Its values in the current assessments."),
                "children": url("The areas within it."),
                "parent": {"type": ["string", "null"], "format": "uri"},
            },
            "Where to read more.",
        ),
    },
    "A geographic area, by GSS code and vintage.",
)

NUMBER_OR_NULL = ("number", "null")

VALUE = closed_object(
    {
        "assessment": {"type": "integer", "description": "The assessment's `id`."},
        "row_id": text("The artefact row's id: indicator:area:period."),
        "indicator_id": {"type": "string", "pattern": IDENTIFIER_PATTERN},
        "indicator_name": text("The indicator's name."),
        "area_code": GSS_CODE,
        "area_name": text("The area's name."),
        "area_level": {"type": "string", "enum": list(AreaLevel.values)},
        "period": text("e.g. 2024/25."),
        "source": nullable("string", "police_uk or extract."),
        "numerator": nullable("number", "The count; null when suppressed."),
        "denominator": nullable("number", "Residents or households."),
        "denominator_type": nullable("string", "residents or households."),
        "multiplier": nullable("integer", "The rate is per this many."),
        "months_in_period": nullable("integer", "Months of the period (12 for a year)."),
        "months_with_data": nullable(
            "integer", "Months of the period with data for its source (missing months are not 0)."
        ),
        "data_months": nullable("string", "Those months, e.g. 2017-04..2017-09."),
        "exposure": nullable(
            "number", "Residents (or households) x months with data / 12: the time at risk."
        ),
        "value": nullable(
            "number", "The annual rate on the exposure; null when suppressed (never the number)."
        ),
        "lower_ci": nullable("number", "Lower confidence limit; null when suppressed."),
        "upper_ci": nullable("number", "Upper confidence limit; null when suppressed."),
        "method": nullable("string", "Interval method: Byars, Exact."),
        "confidence": nullable("number", "Confidence level."),
        "baseline_period": nullable("string", "The comparison period."),
        "baseline_numerator": nullable("number", "Count in the baseline period."),
        "baseline_denominator": nullable("number", "Denominator in the baseline period."),
        "baseline_value": nullable("number", "Rate in the baseline period."),
        "baseline_months_with_data": nullable("integer", "Months of the baseline with data."),
        "change_numerator": nullable("number", "The count the change compares."),
        "change_baseline_numerator": nullable("number", "The baseline count it compares."),
        "change_months": nullable("integer", "Months compared on the period's side."),
        "change_baseline_months": nullable("integer", "Months compared on the baseline's side."),
        "change_basis": nullable("string", "Which months the change rests on, if not all."),
        "change_not_made": nullable(
            "string", "Why no change is given (too few months with data on a side)."
        ),
        "change_pct": nullable("number", "Percentage change from the baseline."),
        "change_ratio": nullable("number", "Rate ratio to the baseline."),
        "change_p_value": nullable("number", "p-value of the change's test."),
        "change_significant": nullable(
            "boolean",
            "Whether the test found the change significant; null when no test was possible.",
        ),
        "change_test": nullable("string", "The test used."),
        "benchmark_code": {
            "type": ["string", "null"],
            "pattern": GSS_CODE_PATTERN,
            "description": "The area compared with.",
        },
        "benchmark_value": nullable("number", "The benchmark's rate."),
        "benchmark_label": nullable("string", "Higher, Similar or Lower than the benchmark."),
        "benchmark_method": nullable("string", "How the label was decided."),
        "rank": nullable("integer", "1 = highest rate."),
        "rank_of": nullable("integer", "Areas ranked."),
        "suppressed": {"type": "boolean", "description": "Disclosure control withheld it."},
        "unreliable": nullable(
            "boolean", "Count under 10 (null when withheld: it would say whether it is)."
        ),
        "caveat": nullable("string", "What to bear in mind."),
    },
    "One indicator's value for one area and period (a row of the public indicators table).",
)

FINDING = closed_object(
    {
        "assessment": {"type": "integer", "description": "The assessment's `id`."},
        "finding_id": text("Stable id, e.g. change_all_crime."),
        "topic": text("The indicator it is about."),
        "sentence": text("The finding, one sentence."),
        "significant": nullable("boolean", "Whether it rests on a significant test."),
        "row_ids": {
            "type": "array",
            "items": {"type": "string"},
            "description": "The value rows (`row_id`) that evidence it.",
        },
    },
    "A plain-English finding of an assessment.",
)

DOWNLOAD = closed_object(
    {
        "indicator_id": {"type": "string", "pattern": IDENTIFIER_PATTERN},
        "name": text("The indicator's name."),
        "csv": url("Every published value of the indicator as CSV."),
        "json": url("Every published value of the indicator as JSON."),
    },
    "Files of an indicator's published values.",
)

SURVEY_WAVE = closed_object(
    {
        "assessment": {"type": "integer", "description": "The assessment's `id`."},
        "wave": text("The wave's label, e.g. 2022."),
        "survey": nullable("string", "The survey's id."),
        "title": nullable("string", "The survey's title."),
        "fieldwork_start": nullable("string", "First day of fieldwork (ISO date)."),
        "fieldwork_end": nullable("string", "Last day of fieldwork (ISO date)."),
        "respondents": nullable("integer", "Respondents loaded for the wave."),
        "weighting": nullable("string", "How the wave was weighted: file, rake or unweighted."),
        "design_effect": nullable("number", "Kish design effect of the weights."),
        "effective_sample_size": nullable("number", "Respondents / design effect."),
        "relation": nullable(
            "string", "Why the wave was used: in period, before period or after period."
        ),
    },
    "One wave of the residents' survey an assessment used (no respondent-level data).",
)

SURVEY_ESTIMATE = closed_object(
    {
        "assessment": {"type": "integer", "description": "The assessment's `id`."},
        "wave": text("The wave's label."),
        "measure": text("The measure's id."),
        "measure_label": text("The measure in words."),
        "kind": nullable("string", "single or multiple (choice)."),
        "category": text("The answer whose share this is."),
        "headline": nullable("boolean", "Whether it is the measure's headline answer."),
        "group_variable": text("The grouping of residents: `all`, or a characteristic."),
        "group": text("The group: `All respondents`, or e.g. 16-24."),
        "value": nullable("number", "Weighted share, 0 to 1; null when suppressed."),
        "lower_ci": nullable("number", "Lower confidence limit; null when suppressed."),
        "upper_ci": nullable("number", "Upper confidence limit; null when suppressed."),
        "confidence": nullable("number", "Confidence level."),
        "method": nullable("string", "Interval method (Taylor linearisation or Kish-Wilson)."),
        "unweighted_base": nullable("integer", "Respondents who answered (the base)."),
        "weighted_base": nullable("number", "Sum of their weights."),
        "design_effect": nullable("number", "Design effect of the estimate."),
        "effective_sample_size": nullable("number", "Effective sample size."),
        "suppressed": {"type": "boolean", "description": "Base under the published minimum."},
        "low_base": nullable("boolean", "Base under the flagging threshold: read with care."),
        "rank": nullable("integer", "Rank of a multiple-choice option within its group."),
        "polarity": nullable("string", "higher_is_better, lower_is_better or no_judgement."),
        "theme": nullable("string", "The report theme of the measure."),
    },
    "A weighted share of residents for one wave, measure, answer and group.",
)

SURVEY_COMPARISON = closed_object(
    {
        "assessment": {"type": "integer", "description": "The assessment's `id`."},
        "comparison": {"type": "string", "enum": ["between waves", "between groups"]},
        "measure": text("The measure's id."),
        "measure_label": text("The measure in words."),
        "category": text("The answer compared."),
        "group_variable": text("The grouping of residents."),
        "group": nullable("string", "The group (or grouping) compared."),
        "from_label": text("The wave or group compared from."),
        "to_label": text("The wave or group compared to."),
        "from_value": nullable("number", "Share 0 to 1; null when suppressed."),
        "to_value": nullable("number", "Share 0 to 1; null when suppressed."),
        "difference": nullable("number", "to_value - from_value; null when suppressed."),
        "lower_ci": nullable("number", "Lower confidence limit of the difference."),
        "upper_ci": nullable("number", "Upper confidence limit of the difference."),
        "p_value": nullable("number", "p-value of the test."),
        "test": nullable("string", "The test that decided significance."),
        "significant": nullable("boolean", "Significant at the 5% level; null if untested."),
        "direction": nullable("string", "increase, decrease or no significant change."),
        "suppressed": {"type": "boolean", "description": "Rests on a suppressed estimate."},
    },
    "A difference between two survey waves, or between two groups of residents.",
)

REPORTS_CHANGE = {
    "change_pct": nullable("number", "Change in reports per month covered, per cent."),
    "change_p_value": nullable("number", "p-value of the change's exact rate-ratio test."),
    "change_significant": nullable("boolean", "Significant at the 5% level; null if untested."),
    "change_test": nullable("string", "The test of the change, in words."),
    "change_not_made": nullable("string", "Why the change was not tested."),
}
REPORTS_SUPPRESSED = {
    "type": "boolean",
    "description": "A count of the row is withheld (fewer than the published minimum, or "
    "one that would reveal such a count): it is null, never sent.",
}
COMMUNITY_REPORTS_SUMMARY = closed_object(
    {
        "assessment": {"type": "integer", "description": "The assessment's `id`."},
        "kind": text("The kind of report: hate, concern, business (or a configured kind)."),
        "kind_label": text("The kind in words."),
        "channel": text("How reports came: public_form, reporting_centre, business, open311."),
        "channel_label": text("The channel in words."),
        "reports": nullable("integer", "Reports in the assessed period; null when withheld."),
        "reports_previous": nullable(
            "integer", "Reports in the period before; null when withheld."
        ),
        "losses_pounds": nullable(
            "number", "Losses businesses recorded, in pounds; null when none or withheld."
        ),
        "months_covered": nullable("integer", "Months of the period the reports cover."),
        "months_covered_previous": nullable(
            "integer", "Months of the previous period the reports cover."
        ),
        **REPORTS_CHANGE,
        "suppressed": REPORTS_SUPPRESSED,
    },
    "Community reports of one kind through one channel (`all`: every kind or channel), this "
    "period and the previous one.",
)
COMMUNITY_REPORTS_MONTHLY = closed_object(
    {
        "assessment": {"type": "integer", "description": "The assessment's `id`."},
        "month": text("The month the reports were received, YYYY-MM."),
        "period": nullable("string", "Whether the month is in the period or the baseline."),
        "kind": text("The kind of report."),
        "kind_label": text("The kind in words."),
        "reports": nullable("integer", "Reports received; null when withheld."),
        "suppressed": REPORTS_SUPPRESSED,
    },
    "Community reports of one kind received in one month.",
)
COMMUNITY_REPORTS_STRAND = closed_object(
    {
        "assessment": {"type": "integer", "description": "The assessment's `id`."},
        "strand": text("The hate-crime strand's id, e.g. race."),
        "strand_label": text("The strand in words."),
        "community_reports": nullable(
            "integer", "Hate incident reports naming the strand; null when withheld."
        ),
        "community_reports_previous": nullable(
            "integer", "The same in the previous period; null when withheld."
        ),
        **REPORTS_CHANGE,
        "police_recorded": nullable(
            "integer",
            "Hate crimes the police recorded with the strand's flag; null when "
            "not available (see police_recorded_note).",
        ),
        "police_crime_group": nullable(
            "string", "The crime group of the strand's police flag; null if it has none."
        ),
        "police_recorded_note": nullable(
            "string", "Why police_recorded is null (null when it is given)."
        ),
        "suppressed": REPORTS_SUPPRESSED,
    },
    "Hate incident reports of one strand beside police-recorded hate crime of that strand.",
)
COMMUNITY_REPORTS_WARD = closed_object(
    {
        "assessment": {"type": "integer", "description": "The assessment's `id`."},
        "ward_code": nullable("string", "The ward's GSS code; null for reports with no place."),
        "ward_name": text("The ward's name (or that the reports have no place)."),
        "kind": text("The kind of report."),
        "kind_label": text("The kind in words."),
        "reports": nullable("integer", "Reports placed in the ward; null when withheld."),
        "suppressed": REPORTS_SUPPRESSED,
    },
    "Community reports of one kind placed in one ward.",
)
COMMUNITY_REPORTS_BUSINESS = closed_object(
    {
        "assessment": {"type": "integer", "description": "The assessment's `id`."},
        "category": text("What happened: the category's id, e.g. theft."),
        "category_label": text("The category in words."),
        "reports": nullable("integer", "Reports by businesses; null when withheld."),
        "reports_previous": nullable(
            "integer", "Reports in the previous period; null when withheld."
        ),
        "losses_pounds": nullable(
            "number", "Losses recorded, in pounds; null when none was recorded or withheld."
        ),
        "suppressed": REPORTS_SUPPRESSED,
    },
    "Business crime reports of one category, with the losses recorded.",
)

INDEX = closed_object(
    {
        "name": text("The API's name."),
        "version": text("The API version."),
        "licence": closed_object(
            {"name": text("Licence name."), "url": url("Licence text.")},
            "The data's licence.",
        ),
        "links": {
            "type": "object",
            "description": "Every resource of the API, by name.",
            "additionalProperties": {"type": "string", "format": "uri"},
        },
        "assessments": {
            "type": "array",
            "items": reference("Assessment"),
            "description": "The currently published assessments.",
        },
    },
    "Where everything is.",
)


def collection(item: str) -> dict[str, Any]:
    """The envelope of a paginated list of ``item``."""
    return closed_object(
        {
            "data": {"type": "array", "items": reference(item)},
            "meta": reference("CollectionMeta"),
            "links": reference("CollectionLinks"),
        },
        f"A page of {item} rows.",
    )


def single(item: str) -> dict[str, Any]:
    """The envelope of one ``item``."""
    return closed_object({"data": reference(item)}, f"One {item}.")


COMPONENTS: dict[str, dict[str, Any]] = {
    "Error": ERROR,
    "CollectionMeta": COLLECTION_META,
    "CollectionLinks": COLLECTION_LINKS,
    "Index": INDEX,
    "Assessment": ASSESSMENT,
    "AssessmentDetail": ASSESSMENT_DETAIL,
    "Indicator": INDICATOR,
    "Area": AREA,
    "Value": VALUE,
    "Finding": FINDING,
    "Download": DOWNLOAD,
    "AssessmentList": collection("Assessment"),
    "AssessmentResponse": single("AssessmentDetail"),
    "IndicatorList": collection("Indicator"),
    "IndicatorResponse": single("Indicator"),
    "AreaList": collection("Area"),
    "AreaResponse": single("Area"),
    "ValueList": collection("Value"),
    "FindingList": collection("Finding"),
    "DownloadList": collection("Download"),
    "SurveyWave": SURVEY_WAVE,
    "SurveyEstimate": SURVEY_ESTIMATE,
    "SurveyComparison": SURVEY_COMPARISON,
    "SurveyWaveList": collection("SurveyWave"),
    "SurveyEstimateList": collection("SurveyEstimate"),
    "SurveyComparisonList": collection("SurveyComparison"),
    "CommunityReportsSummary": COMMUNITY_REPORTS_SUMMARY,
    "CommunityReportsMonthly": COMMUNITY_REPORTS_MONTHLY,
    "CommunityReportsStrand": COMMUNITY_REPORTS_STRAND,
    "CommunityReportsWard": COMMUNITY_REPORTS_WARD,
    "CommunityReportsBusiness": COMMUNITY_REPORTS_BUSINESS,
    "CommunityReportsSummaryList": collection("CommunityReportsSummary"),
    "CommunityReportsMonthlyList": collection("CommunityReportsMonthly"),
    "CommunityReportsStrandList": collection("CommunityReportsStrand"),
    "CommunityReportsWardList": collection("CommunityReportsWard"),
    "CommunityReportsBusinessList": collection("CommunityReportsBusiness"),
    "OpenApiDocument": {
        "type": "object",
        "description": "This OpenAPI 3.1 document.",
        "required": ["openapi", "info", "paths"],
    },
}
