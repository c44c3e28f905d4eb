"""The GeoReport v2 endpoints under ``/open311/v2/``: services, definitions, requests.

Every endpoint answers in the format its extension names (``.json`` or ``.xml``); every failure
is the specification's errors list in that format (an unknown extension gets the list in JSON).
``jurisdiction_id`` may be left out; when the configuration names one, any other is 404.
Reading is open to anyone (de-identified answers, ``Access-Control-Allow-Origin: *``);
submitting needs a registered app's ``api_key`` (403 otherwise) and is rate-limited per client
address and per app (429).

References
----------
Open311 GeoReport v2 specification (``../shared/data/api-samples/open311/GeoReport_v2_index.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.views.decorators.csrf import csrf_exempt

from safecity_web.open311.errors import Open311Error, bad_request, not_found
from safecity_web.open311.formats import Document, ResponseFormat, rendered, response_format
from safecity_web.open311.keys import application_with_key
from safecity_web.open311.service_requests import RequestFilter, public_records, read_filter
from safecity_web.open311.services import check_jurisdiction, service_definition, service_list
from safecity_web.open311.submissions import open311_field, read_submission
from safecity_web.open311.throttling import Limit, check_rate
from safecity_web.reporting.models import Channel
from safecity_web.reporting.submission import (
    SubmissionRejectedError,
    normalised_reference,
    submit_report,
)

READ_METHODS = ("GET", "HEAD")
STATUS_PAGE_PATH = "/report/status/{token}/"
"""The reporter's private status page (``reporting:status``, the public journey's), where the
URL name does not resolve with a ``token`` argument."""
RECEIVED_NOTICE = (
    "Thank you: your report has been received and will be looked at by the partnership's "
    "team. If you think someone is in danger now, call 999; otherwise you can also report a "
    "crime to the police on 101."
)

View = Callable[..., Any]


def open311_view(*methods: str) -> Callable[[View], Callable[..., HttpResponse]]:
    """Answer in the requested format, refuse other methods, honour ``jurisdiction_id``.

    The wrapped view receives the :class:`ResponseFormat` and returns a payload and its
    :class:`Document`, or raises :class:`Open311Error`.
    """

    def decorate(view: View) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            extension = kwargs.pop("response_format")
            asked = response_format(extension)
            answer_format = asked or ResponseFormat.JSON
            try:
                if asked is None:
                    raise not_found(
                        field_name="format",
                        message=f"no format {extension!r}: ask for .json or .xml",
                    )
                if request.method not in methods:
                    refusal = Open311Error(
                        status=405,
                        field_name="method",
                        message=f"{request.method} is not allowed here; use "
                        + " or ".join(methods),
                    ).response(answer_format=answer_format)
                    refusal["Allow"] = ", ".join(methods)
                    return refusal
                if request.method in READ_METHODS:
                    check_rate(request, limit=Limit.READS_PER_ADDRESS)
                    jurisdiction = request.GET.get("jurisdiction_id")
                else:
                    jurisdiction = request.POST.get(
                        "jurisdiction_id", request.GET.get("jurisdiction_id")
                    )
                check_jurisdiction(jurisdiction)
                payload, document = view(request, *args, answer_format=answer_format, **kwargs)
                answer = rendered(payload, document=document, answer_format=answer_format)
            except Open311Error as error:
                answer = error.response(answer_format=answer_format)
            if request.method in READ_METHODS:
                answer["Access-Control-Allow-Origin"] = "*"
            return answer

        return wrapped

    return decorate


@open311_view(*READ_METHODS)
def services(request: HttpRequest, *, answer_format: ResponseFormat) -> tuple[Any, Document]:
    """``GET services``: every service the site offers."""
    return service_list(), Document.SERVICES


@open311_view(*READ_METHODS)
def service(
    request: HttpRequest, service_code: str, *, answer_format: ResponseFormat
) -> tuple[Any, Document]:
    """``GET services/<service_code>``: what a submission to the service may carry."""
    return service_definition(service_code), Document.SERVICE_DEFINITION


@open311_view(*READ_METHODS, "POST")
def service_requests(
    request: HttpRequest, *, answer_format: ResponseFormat
) -> tuple[Any, Document]:
    """``GET requests`` (de-identified list) and ``POST requests`` (submit a report)."""
    if request.method == "POST":
        return submit(request), Document.SERVICE_REQUESTS
    return public_records(read_filter(request.GET)), Document.SERVICE_REQUESTS


@open311_view(*READ_METHODS)
def service_request(
    request: HttpRequest, service_request_id: str, *, answer_format: ResponseFormat
) -> tuple[Any, Document]:
    """``GET requests/<service_request_id>``: one de-identified request, as a list of one."""
    records = public_records(RequestFilter(references=(service_request_id,)))
    if not records:
        cleaned = normalised_reference(service_request_id)
        records = public_records(RequestFilter(references=(cleaned,))) if cleaned else []
    if not records:
        raise not_found(
            field_name="service_request_id",
            message=f"there is no service request {service_request_id!r}",
        )
    return records, Document.SERVICE_REQUESTS


def status_page_path(token: str) -> str:
    """The path of the reporter's private status page for ``token``."""
    try:
        return reverse("reporting:status", kwargs={"token": token})
    except NoReverseMatch:
        return STATUS_PAGE_PATH.format(token=token)


def submit(request: HttpRequest) -> list[dict[str, Any]]:
    """Take a report from a registered app; the answer's single record names its reference."""
    check_rate(request, limit=Limit.SUBMISSIONS_PER_ADDRESS)
    api_key = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    if not api_key:
        raise Open311Error(
            status=403,
            field_name="api_key",
            message="is required to submit: registered apps get one from the partnership",
        )
    application = application_with_key(api_key)
    if application is None:
        raise Open311Error(
            status=403,
            field_name="api_key",
            message="is not the key of a registered app, or it has been revoked",
        )
    check_rate(request, limit=Limit.SUBMISSIONS_PER_KEY, who=f"app:{application.pk}")
    opened = read_submission(request.POST)
    try:
        submitted = submit_report(
            draft=opened.draft, channel=Channel.OPEN311, open311_application=application
        )
    except SubmissionRejectedError as error:
        located_by_address = not request.POST.get("lat", "").strip()
        raise bad_request(
            field_name=open311_field(error.field_name, located_by_address=located_by_address),
            message=error.message,
        ) from error
    notices = [RECEIVED_NOTICE]
    notices.append(
        "The person reporting can follow it, and ask for their details to be deleted, at "
        + request.build_absolute_uri(status_page_path(submitted.status_token))
        + " (a private link: keep it safe)."
    )
    if opened.contact_dropped:
        notices.append(
            "Contact details were not kept, because attribute[contact_consent] was not true."
        )
    if opened.media_url_ignored:
        notices.append("The media_url was not kept: this service does not fetch links.")
    return [
        {
            "service_request_id": submitted.report.reference,
            "service_notice": " ".join(notices),
            "account_id": None,
        }
    ]


@csrf_exempt
def unknown_resource(request: HttpRequest, resource: str) -> HttpResponse:
    """Anything else under ``/open311/v2/``: 404 in the errors list (JSON unless ``.xml``)."""
    answer_format = ResponseFormat.XML if resource.endswith(".xml") else ResponseFormat.JSON
    return Open311Error(
        status=404,
        field_name="resource",
        message=f"there is no resource {resource!r}: the resources are services, "
        "services/<service_code>, requests and requests/<service_request_id>, each ending "
        ".json or .xml",
    ).response(answer_format=answer_format)
