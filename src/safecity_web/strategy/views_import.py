"""Importing strategy files and linking responsible bodies to organisations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safecity_web.accounts.audit import record_event
from safecity_web.accounts.models import AuditAction, Organisation
from safecity_web.accounts.permissions import role_required
from safecity_web.strategy.access import BODY_ROLES, IMPORT_ROLES
from safecity_web.strategy.bodies import link_body, unmatched_bodies
from safecity_web.strategy.forms import CreateOrganisationForm, LinkBodyForm, StrategyUploadForm
from safecity_web.strategy.importing import current_strategy, import_strategy
from safecity_web.strategy.models import Strategy
from safecity_web.strategy.strategy_file import StrategyFileError


@role_required(*IMPORT_ROLES)
@require_http_methods(["GET", "POST"])
def strategy_import(request: HttpRequest) -> HttpResponse:
    """Upload a strategy YAML file; errors name the YAML path of what is wrong."""
    status = 200
    if request.method == "POST":
        form = StrategyUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["strategy_file"]
            try:
                result = import_strategy(
                    content=upload.read(), source_name=upload.name, request=request
                )
            except StrategyFileError as error:
                form.add_error("strategy_file", f"The file could not be imported. {error}")
            else:
                if result.created:
                    messages.success(request, f"Imported {result.strategy}")
                else:
                    messages.info(request, f"This file was already imported as {result.strategy}")
                return redirect("strategy:overview")
        status = 400
    else:
        form = StrategyUploadForm()
    return render(
        request,
        "strategy/import.html",
        {"form": form, "strategies": Strategy.objects.all()},
        status=status,
    )


def _bodies_context(**forms: Any) -> dict[str, Any]:
    strategy = current_strategy()
    return {
        "strategy": strategy,
        "unmatched": unmatched_bodies(strategy=strategy) if strategy else [],
        "organisations": Organisation.objects.order_by("name"),
        "kinds": CreateOrganisationForm.base_fields["kind"].choices,  # type: ignore[attr-defined]
        **forms,
    }


@role_required(*BODY_ROLES)
def bodies(request: HttpRequest) -> HttpResponse:
    """Responsible bodies matching no organisation, with link and create actions."""
    return render(request, "strategy/bodies.html", _bodies_context())


@role_required(*BODY_ROLES)
@require_POST
def body_link(request: HttpRequest) -> HttpResponse:
    """Link an unmatched body to an existing organisation (administrators)."""
    form = LinkBodyForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "strategy/bodies.html",
            _bodies_context(link_form=form, failed_body=form.data.get("body_name", "")),
            status=400,
        )
    name = form.cleaned_data["body_name"]
    organisation = form.cleaned_data["organisation"]
    with transaction.atomic():
        updated = link_body(name=name, organisation=organisation)
        record_event(
            request=request,
            action=AuditAction.EDITED,
            subject=organisation,
            detail=f"linked responsible body {name!r} to {organisation.name} ({updated} actions)",
        )
    messages.success(request, f"{name} linked to {organisation.name}")
    return redirect("strategy:bodies")


@role_required(*BODY_ROLES)
@require_POST
def body_create_organisation(request: HttpRequest) -> HttpResponse:
    """Create an organisation for an unmatched body and link the body to it."""
    form = CreateOrganisationForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "strategy/bodies.html",
            _bodies_context(create_form=form, failed_body=form.data.get("body_name", "")),
            status=400,
        )
    name = form.cleaned_data["body_name"]
    with transaction.atomic():
        organisation = Organisation.objects.create(
            name=form.cleaned_data["name"], kind=form.cleaned_data["kind"]
        )
        record_event(
            request=request,
            action=AuditAction.CREATED,
            subject=organisation,
            detail=f"created organisation {organisation.name} for responsible body {name!r}",
        )
        updated = link_body(name=name, organisation=organisation)
        record_event(
            request=request,
            action=AuditAction.EDITED,
            subject=organisation,
            detail=f"linked responsible body {name!r} to {organisation.name} ({updated} actions)",
        )
    messages.success(request, f"Created {organisation.name} and linked {name} to it")
    return redirect("strategy:bodies")
