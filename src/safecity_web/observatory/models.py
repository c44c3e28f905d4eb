"""The observatory's read model: what a published Assessment artefact holds, in the database.

Only the artefact's PUBLIC, disclosure-controlled tables are ever loaded (see
``observatory.publishing``). An assessment is loaded as a draft, previewed by an analyst and
then published; publishing supersedes the previously published assessment of the same area.
Superseded assessments stay browsable.

Field names follow the artefact's column names (``docs/assessment.md`` describes each column),
so a row of ``IndicatorValue`` reads like a row of the artefact's ``indicators`` table.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AssessmentStatus(models.TextChoices):
    """Where an assessment is in its life: loaded, public, or replaced by a newer one."""

    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


class Polarity(models.TextChoices):
    """Whether a higher value of an indicator is better, worse, or neither (Fingertips)."""

    LOW_IS_GOOD = "low_is_good", "A lower value is better"
    HIGH_IS_GOOD = "high_is_good", "A higher value is better"
    NO_JUDGEMENT = "no_judgement", "No judgement of better or worse"


class AreaLevel(models.TextChoices):
    """Levels of the areas the observatory shows (the artefact's ``area_level`` values)."""

    CSP = "csp", "Community Safety Partnership"
    LOCAL_AUTHORITY = "lad", "Local authority"
    POLICE_FORCE_AREA = "pfa", "Police force area"
    WARD = "ward", "Ward"
    LSOA = "lsoa", "Neighbourhood (LSOA)"


class PublishedAssessment(models.Model):
    """One Assessment artefact loaded into the read model (a draft until published)."""

    area_code = models.CharField(
        max_length=9, help_text="GSS code of the assessed area (the CSP), e.g. E22900001."
    )
    area_name = models.CharField(max_length=200, help_text="Name of the assessed area.")
    area_level = models.CharField(
        max_length=10, choices=AreaLevel.choices, help_text="Level of the assessed area (csp)."
    )
    period = models.CharField(
        max_length=20, help_text="The assessed period, e.g. the financial year 2024/25."
    )
    baseline = models.CharField(
        max_length=20, blank=True, help_text="The period changes are measured against."
    )
    status = models.CharField(
        max_length=12,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
        help_text="draft (only analysts see it), published (public) or superseded (archived).",
    )
    created_at = models.DateTimeField(
        auto_now_add=True, help_text="When the artefact was loaded into the read model."
    )
    artefact_created_at = models.DateTimeField(
        null=True, blank=True, help_text="When `safecity assess` wrote the artefact (manifest)."
    )
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="When the assessment was published (None for drafts)."
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="published_assessments",
        help_text="Who published it (None for drafts, or a publish from the command line "
        "without --user).",
    )
    manifest = models.JSONField(
        help_text="The artefact's manifest.json (provenance: inputs, versions, parameters)."
    )
    boundaries = models.JSONField(
        null=True,
        blank=True,
        help_text="GeoJSON FeatureCollection (WGS84) of the area, its wards and LSOAs, from "
        "the artefact's public boundaries.geojson; None when the artefact has none.",
    )
    source_directory = models.CharField(
        max_length=1000, help_text="The artefact folder the assessment was loaded from."
    )

    class Meta:
        ordering = ["-published_at", "-created_at", "-id"]
        indexes = [models.Index(fields=["status", "area_code"], name="obs_assessment_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["area_code"],
                condition=models.Q(status="published"),
                name="obs_one_published_per_area",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_name} {self.period} ({self.get_status_display().lower()})"

    @property
    def is_public(self) -> bool:
        """Whether anyone may see it (published or superseded, never a draft)."""
        return self.status != AssessmentStatus.DRAFT

    @property
    def confidence(self) -> float:
        """Confidence level of the intervals (0.95 unless the manifest says otherwise)."""
        parameters: dict[str, Any] = (self.manifest or {}).get("parameters", {})
        return float(parameters.get("confidence", 0.95))


class Area(models.Model):
    """A geographic area by GSS code and boundary vintage (shared by every assessment)."""

    gss_code = models.CharField(max_length=9, help_text="ONS GSS code, e.g. E05900001.")
    vintage = models.CharField(
        max_length=10,
        blank=True,
        help_text="Boundary vintage (year), e.g. 2011 for LSOAs, 2020 for wards; blank if "
        "the artefact does not say.",
    )
    level = models.CharField(max_length=10, choices=AreaLevel.choices, help_text="csp|ward|lsoa")
    name = models.CharField(max_length=200, help_text="The area's name.")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="The area it lies in (a ward's CSP, an LSOA's ward) when known.",
    )

    class Meta:
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["gss_code", "vintage"], name="obs_area_code_vintage")
        ]
        indexes = [models.Index(fields=["gss_code"], name="obs_area_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.gss_code})"


class Indicator(models.Model):
    """What an indicator measures: its definition, polarity, method, unit and caveats.

    Taken from the artefact's ``indicators`` rows and the observatory's
    ``indicator_metadata.yaml`` (definitions and polarity the artefact does not carry). Shared
    by every assessment; the latest load updates it.
    """

    indicator_id = models.CharField(
        max_length=100, unique=True, help_text="Stable slug, the crime group id, e.g. all_crime."
    )
    name = models.CharField(max_length=300, help_text="Human name, e.g. 'Residential burglary'.")
    definition = models.TextField(blank=True, help_text="What is counted, in plain English.")
    polarity = models.CharField(
        max_length=20,
        choices=Polarity.choices,
        default=Polarity.LOW_IS_GOOD,
        help_text="Whether a lower value is better (all crime indicators) or not.",
    )
    method = models.TextField(
        blank=True, help_text="How the value and its confidence interval are computed."
    )
    unit = models.CharField(
        max_length=100, blank=True, help_text="What is counted: crimes, incidents ..."
    )
    denominator_type = models.CharField(
        max_length=50, blank=True, help_text="Who the rate is per: residents or households."
    )
    multiplier = models.PositiveIntegerField(
        default=1000, help_text="The rate is per this many of the denominator (per 1,000)."
    )
    source = models.CharField(
        max_length=50, blank=True, help_text="Data source: police_uk or extract."
    )
    caveats = models.TextField(blank=True, help_text="What to bear in mind when reading it.")
    display_order = models.PositiveIntegerField(
        default=1000, help_text="Order on lists (headline indicators first)."
    )
    headline = models.BooleanField(default=False, help_text="Shown on the home page.")

    class Meta:
        ordering = ["display_order", "name"]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    """One row of the artefact's PUBLIC ``indicators`` table (one indicator x area x period).

    Every column of the artefact is kept under its own name. A suppressed row has no
    numerator, value or interval (None): pages show "suppressed", never 0.
    """

    assessment = models.ForeignKey(
        PublishedAssessment, on_delete=models.CASCADE, related_name="indicator_values"
    )
    indicator = models.ForeignKey(
        Indicator,
        to_field="indicator_id",
        db_column="indicator_id",
        on_delete=models.PROTECT,
        related_name="values",
        help_text="The indicator; ``indicator_id`` holds its slug, as in the artefact.",
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="indicator_values")

    row_id = models.CharField(max_length=300, help_text="The artefact's row id.")
    indicator_name = models.CharField(max_length=300)
    area_code = models.CharField(max_length=9)
    area_name = models.CharField(max_length=200)
    area_level = models.CharField(max_length=10, choices=AreaLevel.choices)
    period = models.CharField(max_length=20)
    source = models.CharField(max_length=50, blank=True)
    numerator = models.FloatField(null=True, blank=True, help_text="Count (None if suppressed).")
    denominator = models.FloatField(null=True, blank=True, help_text="Residents or households.")
    denominator_type = models.CharField(max_length=50, blank=True)
    multiplier = models.IntegerField(null=True, blank=True)
    months_in_period = models.IntegerField(
        null=True, blank=True, help_text="Months of the period (12 for a financial year)."
    )
    months_with_data = models.IntegerField(
        null=True, blank=True, help_text="Months of the period with data for its source."
    )
    data_months = models.CharField(
        max_length=200, blank=True, help_text="Those months, e.g. 2017-04..2017-09."
    )
    exposure = models.FloatField(
        null=True,
        blank=True,
        help_text="Residents (or households) x months with data / 12: the rate's time at risk.",
    )
    value = models.FloatField(
        null=True, blank=True, help_text="Annual rate per multiplier on the exposure."
    )
    lower_ci = models.FloatField(null=True, blank=True)
    upper_ci = models.FloatField(null=True, blank=True)
    method = models.CharField(max_length=100, blank=True, help_text="CI method: Byars, Exact.")
    confidence = models.FloatField(null=True, blank=True)
    baseline_period = models.CharField(max_length=20, blank=True)
    baseline_numerator = models.FloatField(null=True, blank=True)
    baseline_denominator = models.FloatField(null=True, blank=True)
    baseline_value = models.FloatField(null=True, blank=True)
    baseline_months_with_data = models.IntegerField(null=True, blank=True)
    change_numerator = models.FloatField(
        null=True, blank=True, help_text="The count the change compares (months compared)."
    )
    change_baseline_numerator = models.FloatField(null=True, blank=True)
    change_months = models.IntegerField(null=True, blank=True)
    change_baseline_months = models.IntegerField(null=True, blank=True)
    change_basis = models.TextField(
        blank=True, help_text="Which months the change rests on, when not the whole period."
    )
    change_not_made = models.TextField(
        blank=True, help_text="Why no change is given (too few months with data on a side)."
    )
    change_pct = models.FloatField(null=True, blank=True)
    change_ratio = models.FloatField(null=True, blank=True)
    change_p_value = models.FloatField(null=True, blank=True)
    change_significant = models.BooleanField(
        null=True, blank=True, help_text="None when no test was possible."
    )
    change_test = models.CharField(
        max_length=300, blank=True, help_text="The test that decided the change's significance."
    )
    benchmark_code = models.CharField(max_length=9, blank=True)
    benchmark_value = models.FloatField(null=True, blank=True)
    benchmark_label = models.CharField(
        max_length=50, blank=True, help_text="Higher, Similar or Lower than the benchmark."
    )
    benchmark_method = models.CharField(max_length=300, blank=True)
    rank = models.IntegerField(null=True, blank=True)
    rank_of = models.IntegerField(null=True, blank=True)
    suppressed = models.BooleanField(
        default=False, help_text="Disclosure control withheld the count."
    )
    unreliable = models.BooleanField(
        null=True,
        blank=True,
        default=False,
        help_text="Count too small for a reliable rate (None when withheld: it would say so).",
    )
    caveat = models.TextField(blank=True)

    class Meta:
        ordering = ["assessment_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "row_id"], name="obs_value_row")
        ]
        indexes = [
            models.Index(fields=["assessment", "indicator", "area_level"], name="obs_value_ind"),
            models.Index(fields=["assessment", "area_code"], name="obs_value_area"),
        ]

    def __str__(self) -> str:
        return self.row_id


class Finding(models.Model):
    """One plain-English finding of the assessment (the artefact's ``findings`` table)."""

    assessment = models.ForeignKey(
        PublishedAssessment, on_delete=models.CASCADE, related_name="findings"
    )
    finding_id = models.CharField(max_length=200, help_text="Stable id, e.g. change_all_crime.")
    topic = models.CharField(max_length=100, help_text="Indicator (crime group) it is about.")
    sentence = models.TextField(help_text="The finding, one sentence.")
    significant = models.BooleanField(
        null=True, blank=True, help_text="Whether it rests on a statistically significant test."
    )
    row_ids = models.JSONField(
        default=list, help_text="Ids of the indicator rows that evidence it (list of text)."
    )
    methods = models.JSONField(
        default=list,
        blank=True,
        help_text="Ids of the methods-appendix entries it rests on (the artefact's ``methods``;"
        " empty for an older artefact without them).",
    )
    position = models.PositiveIntegerField(default=0, help_text="Order in the artefact.")

    class Meta:
        ordering = ["assessment_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "finding_id"], name="obs_finding_id")
        ]
        indexes = [models.Index(fields=["assessment", "topic"], name="obs_finding_topic")]

    def __str__(self) -> str:
        return self.finding_id


class PublishedTable(models.Model):
    """Any other PUBLIC table of the artefact (monthly_series, hotspots_lsoa, kde_grid ...)."""

    assessment = models.ForeignKey(
        PublishedAssessment, on_delete=models.CASCADE, related_name="tables"
    )
    name = models.CharField(max_length=100, help_text="The artefact's table name.")
    columns = models.JSONField(default=list, help_text="Column names, in the artefact's order.")
    row_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["assessment_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "name"], name="obs_table_name")
        ]

    def __str__(self) -> str:
        return self.name


class PublishedRow(models.Model):
    """One row of a :class:`PublishedTable`, its values as JSON keyed by column name.

    ``group_key`` (the row's ``group_id`` or ``indicator_id``) and ``area_code`` (its
    ``area_code``, ``lsoa_code`` or ``csp_code``) are copied out of the values so pages can
    filter without reading JSON. Missing values are JSON null.
    """

    table = models.ForeignKey(PublishedTable, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField(help_text="Row number in the artefact (from 0).")
    group_key = models.CharField(max_length=100, blank=True)
    area_code = models.CharField(max_length=9, blank=True)
    values = models.JSONField()

    class Meta:
        ordering = ["table_id", "position"]
        indexes = [
            models.Index(fields=["table", "group_key", "position"], name="obs_row_group"),
            models.Index(fields=["table", "area_code"], name="obs_row_area"),
        ]

    def __str__(self) -> str:
        return f"{self.table_id}:{self.position}"
