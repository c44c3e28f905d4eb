"""The API's error envelope: ``{"error": {"code": ..., "message": ..., "parameter": ...}}``.

Every failure the API reports is an :class:`ApiError`; views raise it and
:func:`safecity_web.api.responses.api_view` turns it into a JSON response with the status.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """What went wrong, as a stable machine-readable code."""

    INVALID_PARAMETER = "invalid_parameter"
    UNKNOWN_PARAMETER = "unknown_parameter"
    REPEATED_PARAMETER = "repeated_parameter"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    RATE_LIMITED = "rate_limited"


ERROR_STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID_PARAMETER: 400,
    ErrorCode.UNKNOWN_PARAMETER: 400,
    ErrorCode.REPEATED_PARAMETER: 400,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.RATE_LIMITED: 429,
}


class ApiError(Exception):
    """A request the API cannot answer: the code, a sentence for people, the parameter at fault.

    Parameters
    ----------
    code
        The kind of error; it decides the HTTP status (:data:`ERROR_STATUS`).
    message
        What is wrong and, where it helps, what would be right.
    parameter
        The name of the query or path parameter at fault, if one is.
    """

    def __init__(self, *, code: ErrorCode, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.parameter = parameter

    @property
    def status(self) -> int:
        """The HTTP status of this error."""
        return ERROR_STATUS[self.code]

    def body(self) -> dict[str, Any]:
        """The JSON error envelope."""
        return {
            "error": {"code": str(self.code), "message": self.message, "parameter": self.parameter}
        }


def invalid_parameter(*, parameter: str, value: str, expected: str) -> ApiError:
    """An :class:`ApiError` for a parameter value that does not have the documented form."""
    return ApiError(
        code=ErrorCode.INVALID_PARAMETER,
        message=f"{parameter}={value!r} is not valid: {parameter} must be {expected}",
        parameter=parameter,
    )


def not_found(*, parameter: str, value: str, what: str) -> ApiError:
    """An :class:`ApiError` for an identifier in the path that names nothing published."""
    return ApiError(
        code=ErrorCode.NOT_FOUND,
        message=f"no published {what} {value!r}",
        parameter=parameter,
    )
