"""Parameter validation is the documented schema: what the schema accepts, parsing accepts.

The OpenAPI document shows each parameter's ``schema()``; ``parse`` validates requests. These
tests check, for every parameter of every endpoint, that both agree on random input
(Hypothesis), and that every refusal names the parameter and the value.
"""

from __future__ import annotations

import re

import pytest
from django.http import QueryDict
from hypothesis import example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from safecity_web.api.endpoints import ENDPOINTS
from safecity_web.api.errors import ApiError, ErrorCode
from safecity_web.api.pagination import MAX_PAGE_SIZE, PAGE_SIZE
from safecity_web.api.parameters import Parameter, ParameterKind, parse_query

PARAMETERS: dict[str, Parameter] = {
    f"{endpoint.operation_id}.{parameter.name}": parameter
    for endpoint in ENDPOINTS
    for parameter in endpoint.all_parameters
}
ALPHABET = st.sampled_from("EWSNKe0123456789/_-az .ZÉ\n")


def accepted_by_schema(parameter: Parameter, raw: str) -> bool:
    """Whether the documented schema accepts ``raw`` (read as its type, as a client sends it)."""
    value: object = raw
    if parameter.kind is ParameterKind.INTEGER:
        if re.fullmatch(r"[+-]?[0-9]{1,19}", raw) is None:
            return False
        value = int(raw)
    if parameter.kind is ParameterKind.BOOLEAN:
        if raw not in ("true", "false"):
            return False
        value = raw == "true"
    schema = dict(parameter.schema())
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and pattern.endswith("$"):
        # OpenAPI patterns are ECMA-262 regular expressions, where "$" (without the m flag)
        # matches only at the end of the input; Python's "$" also matches before a final
        # newline, so "0\n" would pass. "\Z" is the ECMA meaning in Python.
        schema["pattern"] = pattern[:-1] + r"\Z"
    return bool(Draft202012Validator(schema).is_valid(value))


def accepted_by_parse(parameter: Parameter, raw: str) -> bool:
    """Whether ``parse`` accepts ``raw``; a refusal must name the parameter and the value."""
    error: ApiError | None = None
    try:
        parameter.parse(raw)
    except ApiError as raised:
        error = raised
    if error is None:
        return True
    assert error.code is ErrorCode.INVALID_PARAMETER
    assert error.parameter == parameter.name
    assert error.message.startswith(f"{parameter.name}={raw!r} is not valid")
    return False


@pytest.mark.parametrize("key", sorted(PARAMETERS))
def test_documented_example_is_accepted(key: str) -> None:
    parameter = PARAMETERS[key]
    assert parameter.example is not None, f"{key} has no example for the documentation"
    raw = (
        str(parameter.example).lower()
        if isinstance(parameter.example, bool)
        else str(parameter.example)
    )
    assert accepted_by_schema(parameter, raw)
    assert accepted_by_parse(parameter, raw)


@pytest.mark.parametrize("key", sorted(PARAMETERS))
@settings(max_examples=40, deadline=None)
@example(raw="0\n")  # once accepted by the schema check alone (Python's "$" before a newline)
@given(
    raw=st.one_of(
        st.text(alphabet=ALPHABET, max_size=14),
        st.integers(min_value=-5, max_value=1000).map(str),
        st.from_regex(r"[EWSNK][0-9]{8}", fullmatch=True),
        st.from_regex(r"[0-9]{4}/[0-9]{2}", fullmatch=True),
        st.sampled_from(["true", "false", "ward", "lsoa", "csp", "county", "published"]),
    )
)
def test_parse_accepts_exactly_what_the_schema_accepts(key: str, raw: str) -> None:
    parameter = PARAMETERS[key]
    assert accepted_by_parse(parameter, raw) == accepted_by_schema(parameter, raw)


def test_page_size_bounds() -> None:
    assert PAGE_SIZE.parse(str(MAX_PAGE_SIZE)) == 500
    assert PAGE_SIZE.parse("1") == 1
    for raw in ("0", "501", "-3", "ten", "1.5", ""):
        with pytest.raises(ApiError, match=r"page_size=.* must be a whole number from 1 to 500"):
            PAGE_SIZE.parse(raw)


def test_trailing_newline_is_not_a_gss_code() -> None:
    area = PARAMETERS["listValues.area"]
    with pytest.raises(ApiError, match="area='E05002462\\\\n' is not valid"):
        area.parse("E05002462\n")


def test_query_defaults_and_values() -> None:
    values_endpoint = next(e for e in ENDPOINTS if e.operation_id == "listValues")
    parsed = parse_query(
        QueryDict("area=E05002462&page=2"), parameters=values_endpoint.all_parameters
    )
    assert parsed == {
        "indicator": None,
        "area": "E05002462",
        "area_level": None,
        "period": None,
        "assessment": None,
        "page": 2,
        "page_size": 100,
    }


def test_unknown_parameter_names_it_and_lists_the_accepted_ones() -> None:
    areas = next(e for e in ENDPOINTS if e.operation_id == "listAreas")
    with pytest.raises(ApiError) as raised:
        parse_query(QueryDict("levle=ward"), parameters=areas.all_parameters)
    assert raised.value.code is ErrorCode.UNKNOWN_PARAMETER
    assert raised.value.parameter == "levle"
    assert raised.value.message == (
        "unknown parameter 'levle'; this endpoint takes: level, page, page_size, parent"
    )
    assert raised.value.status == 400


def test_repeated_parameter_is_refused() -> None:
    areas = next(e for e in ENDPOINTS if e.operation_id == "listAreas")
    with pytest.raises(ApiError) as raised:
        parse_query(QueryDict("level=ward&level=lsoa"), parameters=areas.all_parameters)
    assert raised.value.code is ErrorCode.REPEATED_PARAMETER
    assert raised.value.parameter == "level"
    assert "given 2 times" in raised.value.message
