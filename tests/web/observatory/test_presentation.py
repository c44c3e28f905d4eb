"""How the observatory writes numbers and labels (the same helpers every page uses)."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from safecity_web.observatory import presentation
from safecity_web.observatory.context_processors import published_assessment
from safecity_web.observatory.models import Indicator, IndicatorValue, Polarity, PublishedAssessment


def row(**fields: Any) -> IndicatorValue:
    polarity = fields.pop("polarity", Polarity.LOW_IS_GOOD)
    value = IndicatorValue(**fields)
    value.indicator = Indicator(indicator_id="all_crime", name="All crime", polarity=polarity)
    return value


def test_numbers_are_written_with_separators_and_suppressed_never_zero() -> None:
    assert presentation.format_rate(121.352118) == "121.4"
    assert presentation.format_rate(1234.56) == "1,234.6"
    assert presentation.format_rate(None, suppressed=True) == "suppressed"
    assert presentation.format_rate(None) == "not available"
    assert presentation.format_count(29682.0) == "29,682"
    assert presentation.format_count(None, suppressed=True) == "suppressed"
    assert presentation.format_interval(119.975455, 122.740638) == "120.0 to 122.7"
    assert presentation.format_interval(None, 3.0, suppressed=True) == "suppressed"
    assert presentation.format_percent_change(1.950951) == "+2.0%"
    assert presentation.format_percent_change(-1.362309) == "\u22121.4%"
    assert presentation.format_percent_change(0.0) == "0.0%"
    assert presentation.format_p_value(0.019368) == "p = 0.019"
    assert presentation.format_p_value(2.1e-26) == "p < 0.001"


def test_change_labels_carry_words_and_the_change_charts_colours() -> None:
    # An increase is the change chart's vermillion and a decrease its blue, whatever the
    # polarity (the words say which); the classes come from the palette's stylesheet.
    up = row(change_significant=True, change_ratio=1.347, change_pct=34.7)
    assert presentation.change_label(up) == presentation.Label(
        "Significant increase", "safecity-change--increase"
    )
    down = row(change_significant=True, change_ratio=0.8, change_pct=-20.0)
    assert presentation.change_label(down) == presentation.Label(
        "Significant decrease", "safecity-change--decrease"
    )
    neutral = row(
        change_significant=True, change_ratio=1.2, change_pct=20.0, polarity=Polarity.NO_JUDGEMENT
    )
    assert presentation.change_label(neutral).tag_class == "safecity-change--increase"
    assert presentation.change_label(row(change_significant=False)) == presentation.Label(
        "No significant change", "safecity-change--not-significant"
    )
    assert presentation.change_label(row(change_significant=None)) == presentation.Label(
        "Not tested", "safecity-comparison--not-compared"
    )


def test_benchmark_labels_are_the_artefacts_in_the_palettes_colour() -> None:
    # The ward's label against its own area is made without judgement (Higher, Similar, Lower)
    # and shown as made: the table, the ward chart and the ward map say the same.
    for label in ("Higher", "Similar", "Lower", "Better", "Worse"):
        assert presentation.benchmark_label(row(benchmark_label=label, value=5.0)) == (
            presentation.Label(label, f"safecity-comparison--{label.lower()}")
        )
    assert presentation.benchmark_label(row(suppressed=True, value=None)) == presentation.Label(
        "Suppressed", "safecity-comparison--not-compared"
    )
    for unknown in ("", "Higher (worse)"):
        assert presentation.benchmark_label(row(benchmark_label=unknown, value=5.0)) == (
            presentation.Label("Not compared", "safecity-comparison--not-compared")
        )


def test_template_filters_write_rows_as_the_pages_do() -> None:
    template = Template(
        "{% load observatory_tags %}{{ r|rate }}|{{ r|interval }}|{{ r|count }}|{{ r|change }}"
    )
    shown = template.render(
        Context(
            {
                "r": row(
                    value=24.865696,
                    lower_ci=24.244655,
                    upper_ci=25.498621,
                    numerator=6082.0,
                    change_pct=-1.362309,
                )
            }
        )
    )
    assert shown == "24.9|24.2 to 25.5|6,082|\u22121.4%"
    hidden = template.render(Context({"r": row(suppressed=True)}))
    assert hidden == "suppressed|suppressed|suppressed|not available"


@pytest.mark.django_db
def test_context_processor_gives_the_published_assessment(
    published_demo: PublishedAssessment,
) -> None:
    context = published_assessment(RequestFactory().get("/"))
    assert context["published_assessment"].pk == published_demo.pk
