"""The GeoReport v2 error answer: a list of ``{code, description}``, one per problem.

The HTTP status is 404 for what does not exist (a service, a request, a jurisdiction), 403 for a
missing, unknown or revoked ``api_key``, 429 over a rate limit and 400 for anything else that
cannot be done as asked. Each description names the field at fault first (``service_code: ...``)
so an app can show it next to the right input.

References
----------
Open311 GeoReport v2 specification, "Errors".
"""

from __future__ import annotations

from django.http import HttpResponse

from safecity_web.open311.formats import Document, ResponseFormat, rendered


class Open311Error(Exception):
    """A request the API cannot answer as asked.

    Parameters
    ----------
    status
        The HTTP status (400, 403, 404, 405 or 429); also the ``code`` in the body.
    field_name
        The request field at fault, or None when the fault is not one field's.
    message
        What is wrong and, where it helps, what would be right.
    retry_after
        Seconds to wait, for 429.
    """

    def __init__(
        self,
        *,
        status: int,
        message: str,
        field_name: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.field_name = field_name
        self.message = message
        self.retry_after = retry_after

    @property
    def description(self) -> str:
        """The sentence for the body, the field's name first."""
        return f"{self.field_name}: {self.message}" if self.field_name else self.message

    def response(self, *, answer_format: ResponseFormat) -> HttpResponse:
        """The error answer in ``answer_format``."""
        answer = rendered(
            [{"code": self.status, "description": self.description}],
            document=Document.ERRORS,
            answer_format=answer_format,
            status=self.status,
        )
        if self.retry_after is not None:
            answer["Retry-After"] = str(self.retry_after)
        return answer


def bad_request(*, field_name: str, message: str) -> Open311Error:
    """A 400 naming ``field_name``."""
    return Open311Error(status=400, field_name=field_name, message=message)


def not_found(*, field_name: str, message: str) -> Open311Error:
    """A 404 naming ``field_name``."""
    return Open311Error(status=404, field_name=field_name, message=message)
