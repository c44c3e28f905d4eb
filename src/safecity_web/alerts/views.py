"""The portal's alerts pages, and the one-click unsubscribe page of alert emails.

- ``alerts:list`` — the user's alerts, newest first; mark one or all read (POST).
- ``alerts:subscriptions`` — follow a crime group and/or area (optional alerts: a month outside
  its control limits, a significant change), remove a subscription, and choose how the alerts
  of the user's role are emailed; lists what comes with the role (not removable).
- ``alerts:unsubscribe`` — no sign-in: the signed token in an email's link names the user and
  the subscriptions to remove. GET asks to confirm; POST (a mail client's RFC 8058 one-click
  request, or the confirm button) removes them. A bad or expired token gets a 400 page.

Every portal page needs one of the partnership's own roles (``PARTNER_ROLES``); a user only
ever sees and changes their own alerts and subscriptions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from safecity_web import core_gateway
from safecity_web.accounts.audit import record_event
from safecity_web.accounts.models import PARTNER_ROLES, AuditAction
from safecity_web.accounts.permissions import role_required
from safecity_web.alerts import services
from safecity_web.alerts.forms import ByRoleFrequencyForm, FollowForm
from safecity_web.alerts.models import Alert, Frequency, Subscription
from safecity_web.alerts.services import SubscriptionError, UnsubscribeTokenError, describe, names

ALERTS_PER_PAGE = 50


@require_http_methods(["GET"])
@role_required(*PARTNER_ROLES)
def alert_list(request: HttpRequest) -> HttpResponse:
    """The signed-in user's alerts, newest first (50 a page)."""
    alerts = Alert.objects.filter(user=request.user).order_by("-created_at", "-id")
    page = Paginator(alerts, ALERTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "alerts/list.html",
        {"page": page, "unread": services.unread_count(user=request.user)},
    )


@require_POST
@role_required(*PARTNER_ROLES)
def mark_read(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Mark one of the user's alerts read (another user's alert is not found)."""
    alert = get_object_or_404(Alert, pk=alert_id, user=request.user)
    services.mark_read(user=request.user, now=timezone.now(), alert_ids=[alert.pk])
    return redirect("alerts:list")


@require_POST
@role_required(*PARTNER_ROLES)
def mark_all_read(request: HttpRequest) -> HttpResponse:
    """Mark every unread alert of the user read."""
    count = services.mark_read(user=request.user, now=timezone.now())
    if count:
        messages.success(request, f"{count} alert{'s' if count != 1 else ''} marked as read.")
    return redirect("alerts:list")


def _subscriptions_page(
    request: HttpRequest,
    *,
    follow_form: FollowForm,
    frequency_form: ByRoleFrequencyForm,
    status: int = 200,
) -> HttpResponse:
    groups, areas = names()
    mine = Subscription.objects.filter(user=request.user).order_by("group_id", "area_code")
    config = core_gateway.alerts_config()
    role = str(getattr(request.user, "role", ""))
    by_role = [kind for kind in config.kinds if not kind.optional and role in kind.roles]
    optional = [kind for kind in config.kinds if kind.optional]
    return render(
        request,
        "alerts/subscriptions.html",
        {
            "follow_form": follow_form,
            "frequency_form": frequency_form,
            "subscriptions": [
                {
                    "subscription": item,
                    "words": describe(subscription=item, groups=groups, areas=areas),
                }
                for item in mine
            ],
            "by_role_kinds": by_role,
            "optional_kinds": optional,
            "followable": bool(groups or areas),
        },
        status=status,
    )


def _frequency_form(request: HttpRequest, data: Any = None) -> ByRoleFrequencyForm:
    return ByRoleFrequencyForm(
        data, initial={"by_role_frequency": services.by_role_frequency(user=request.user)}
    )


@require_http_methods(["GET", "POST"])
@role_required(*PARTNER_ROLES)
def subscriptions(request: HttpRequest) -> HttpResponse:
    """What the user follows and receives by role; POST follows a crime group and/or area."""
    if request.method != "POST":
        return _subscriptions_page(
            request, follow_form=FollowForm(), frequency_form=_frequency_form(request)
        )
    form = FollowForm(request.POST)
    if form.is_valid():
        try:
            subscription, created = services.follow(
                user=request.user,
                group_id=form.cleaned_data["group_id"],
                area_code=form.cleaned_data["area_code"],
                frequency=Frequency(form.cleaned_data["frequency"]),
            )
        except SubscriptionError as error:
            form.add_error(error.field_name, str(error))
        else:
            groups, areas = names()
            words = describe(subscription=subscription, groups=groups, areas=areas)
            if created:
                messages.success(request, f"You now follow {words}.")
            else:
                messages.info(request, f"You already follow {words}; its frequency is updated.")
            return redirect("alerts:subscriptions")
    return _subscriptions_page(
        request, follow_form=form, frequency_form=_frequency_form(request), status=400
    )


@require_POST
@role_required(*PARTNER_ROLES)
def subscription_remove(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """Stop following (one of the user's own subscriptions; another's is not found)."""
    subscription = get_object_or_404(Subscription, pk=subscription_id, user=request.user)
    groups, areas = names()
    words = describe(subscription=subscription, groups=groups, areas=areas)
    subscription.delete()
    messages.success(request, f"You no longer follow {words}.")
    return redirect("alerts:subscriptions")


@require_POST
@role_required(*PARTNER_ROLES)
def by_role_frequency(request: HttpRequest) -> HttpResponse:
    """Choose whether the alerts of the user's role are emailed at once or once a day."""
    form = _frequency_form(request, request.POST)
    if not form.is_valid():
        return _subscriptions_page(
            request, follow_form=FollowForm(), frequency_form=form, status=400
        )
    frequency = Frequency(form.cleaned_data["by_role_frequency"])
    services.set_by_role_frequency(user=request.user, frequency=frequency)
    messages.success(request, f"Alerts that come with your role: {frequency.label}.")
    return redirect("alerts:subscriptions")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe (RFC 8058): GET confirms, POST removes; no sign-in needed.

    CSRF protection does not apply: a mail client posts ``List-Unsubscribe=One-Click`` without
    a form, and the signed token (not a session) is what authorises the change.
    """
    try:
        services.read_unsubscribe_token(token=token)
        found = list(services.token_subscriptions(token=token))
    except UnsubscribeTokenError as error:
        return render(request, "alerts/unsubscribe_invalid.html", {"error": error}, status=400)
    groups, areas = names()
    words = [describe(subscription=item, groups=groups, areas=areas) for item in found]
    if request.method == "POST":
        for item in found:
            record_event(
                request=None,
                action=AuditAction.DELETED,
                subject=item,
                user=item.user,
                detail="alert subscription removed by the one-click unsubscribe link",
            )
            item.delete()
        return render(request, "alerts/unsubscribe_done.html", {"removed": words})
    return render(request, "alerts/unsubscribe_confirm.html", {"words": words, "token": token})
