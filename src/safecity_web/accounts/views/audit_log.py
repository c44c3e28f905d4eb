"""The audit log, read-only, for administrators: filter by action, username and object."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safecity_web.accounts.forms import AuditFilterForm
from safecity_web.accounts.models import AuditEvent, Role
from safecity_web.accounts.permissions import role_required

EVENTS_PER_PAGE = 50


@require_GET
@role_required(Role.ADMINISTRATOR)
def audit_log(request: HttpRequest) -> HttpResponse:
    """Newest events first, 50 a page."""
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.select_related("organisation")
    filters: dict[str, str] = {}
    if form.is_valid():
        if form.cleaned_data["action"]:
            events = events.filter(action=form.cleaned_data["action"])
            filters["action"] = form.cleaned_data["action"]
        if form.cleaned_data["username"]:
            events = events.filter(username__iexact=form.cleaned_data["username"])
            filters["username"] = form.cleaned_data["username"]
        if form.cleaned_data["object"]:
            events = events.filter(object_id__iexact=form.cleaned_data["object"].strip())
            filters["object"] = form.cleaned_data["object"]
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode(filters)
    return render(
        request,
        "accounts/audit_log.html",
        {"form": form, "page": page, "filter_query": query, "filtered": bool(filters)},
    )
