"""Parameter definitions: one description that both validates requests and documents them.

A :class:`Parameter` knows its JSON Schema (what the OpenAPI document shows) and parses a raw
string against that same schema's pattern, choices and bounds, so the document and the
validation cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.http import QueryDict

from safecity_web.api.errors import ApiError, ErrorCode, invalid_parameter

GSS_CODE_PATTERN = r"^[EWSNK][0-9]{8}$"
"""A GSS code: a country letter and eight digits (ONS Code History Database)."""
PERIOD_PATTERN = r"^[0-9]{4}/[0-9]{2}$"
"""A financial year such as ``2024/25``."""
IDENTIFIER_PATTERN = r"^[a-z0-9_]{1,100}$"
"""An indicator or topic identifier: lower-case letters, digits and underscores."""
ASSESSMENT_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,100}$"
"""A published assessment's identifier."""
LARGEST_INTEGER = 2**63 - 1
"""The largest integer any parameter takes (PostgreSQL ``bigint``), unless it sets a lower one."""


class ParameterLocation(StrEnum):
    """Where a parameter travels (OpenAPI ``in``)."""

    QUERY = "query"
    PATH = "path"


class ParameterKind(StrEnum):
    """How a parameter's raw string is read."""

    STRING = "string"
    INTEGER = "integer"
    BOOLEAN = "boolean"


@dataclass(frozen=True, slots=True)
class Parameter:
    """One query or path parameter of an endpoint.

    Parameters
    ----------
    name
        The parameter's name in the query string or path.
    description
        A sentence for the documentation.
    expected
        How to describe a valid value in an error message ("a GSS code such as E05002462").
    kind
        String, integer or boolean.
    location
        Query or path.
    pattern
        A regular expression every valid string value matches (strings only).
    choices
        The only values allowed, if the parameter is an enumeration.
    minimum, maximum
        Bounds of an integer parameter.
    default
        The value used when the parameter is absent.
    example
        A value used in the documentation's example requests.
    """

    name: str
    description: str
    expected: str
    kind: ParameterKind = ParameterKind.STRING
    location: ParameterLocation = ParameterLocation.QUERY
    pattern: str | None = None
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    default: int | str | bool | None = None
    example: int | str | bool | None = None

    @property
    def required(self) -> bool:
        """Path parameters are required; query parameters never are."""
        return self.location is ParameterLocation.PATH

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of the parameter's value, as the OpenAPI document shows it."""
        schema: dict[str, Any] = {"type": str(self.kind)}
        if self.pattern is not None:
            schema["pattern"] = self.pattern
        if self.choices:
            schema["enum"] = list(self.choices)
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        elif self.kind is ParameterKind.INTEGER:
            schema["maximum"] = LARGEST_INTEGER
        if self.default is not None:
            schema["default"] = self.default
        return schema

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI 3.1 Parameter Object."""
        document: dict[str, Any] = {
            "name": self.name,
            "in": str(self.location),
            "required": self.required,
            "description": self.description,
            "schema": self.schema(),
        }
        if self.example is not None:
            document["example"] = self.example
        return document

    def parse(self, raw: str) -> int | str | bool:
        """The value of ``raw``, checked against :meth:`schema`.

        Raises
        ------
        ApiError
            ``invalid_parameter`` naming this parameter and the value given.
        """
        if self.kind is ParameterKind.INTEGER:
            return self._parse_integer(raw)
        if self.kind is ParameterKind.BOOLEAN:
            if raw not in ("true", "false"):
                raise invalid_parameter(parameter=self.name, value=raw, expected=self.expected)
            return raw == "true"
        if self.pattern is not None and re.fullmatch(self.pattern, raw) is None:
            raise invalid_parameter(parameter=self.name, value=raw, expected=self.expected)
        if self.choices and raw not in self.choices:
            raise invalid_parameter(parameter=self.name, value=raw, expected=self.expected)
        return raw

    def _parse_integer(self, raw: str) -> int:
        if re.fullmatch(r"[+-]?[0-9]{1,19}", raw) is None:
            raise invalid_parameter(parameter=self.name, value=raw, expected=self.expected)
        value = int(raw)
        maximum = LARGEST_INTEGER if self.maximum is None else self.maximum
        if (self.minimum is not None and value < self.minimum) or value > maximum:
            raise invalid_parameter(parameter=self.name, value=raw, expected=self.expected)
        return value


def parse_query(
    query: QueryDict, *, parameters: Sequence[Parameter]
) -> dict[str, int | str | bool | None]:
    """Validate a request's query string against an endpoint's query parameters.

    Every declared query parameter appears in the result, with its default when absent.

    Raises
    ------
    ApiError
        ``unknown_parameter`` for a parameter the endpoint does not take (listing those it
        does), ``repeated_parameter`` for one given twice, ``invalid_parameter`` for a value
        without the documented form.
    """
    declared = {
        parameter.name: parameter
        for parameter in parameters
        if parameter.location is ParameterLocation.QUERY
    }
    for name in query:
        if name not in declared:
            accepted = ", ".join(sorted(declared)) or "none"
            raise ApiError(
                code=ErrorCode.UNKNOWN_PARAMETER,
                message=f"unknown parameter {name!r}; this endpoint takes: {accepted}",
                parameter=name,
            )
        if len(query.getlist(name)) > 1:
            raise ApiError(
                code=ErrorCode.REPEATED_PARAMETER,
                message=f"parameter {name!r} is given {len(query.getlist(name))} times; "
                "give it once",
                parameter=name,
            )
    values: dict[str, int | str | bool | None] = {}
    for name, parameter in declared.items():
        raw = query.get(name)
        values[name] = parameter.default if raw is None else parameter.parse(raw)
    return values


def parse_path(
    arguments: Mapping[str, str], *, parameters: Sequence[Parameter]
) -> dict[str, int | str | bool]:
    """Validate the path parameters captured by the URL pattern."""
    return {
        parameter.name: parameter.parse(arguments[parameter.name])
        for parameter in parameters
        if parameter.location is ParameterLocation.PATH
    }
