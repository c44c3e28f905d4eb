"""Administration of organisations and users (administrators only; every change audited)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from safecity_web.accounts.audit import record_event
from safecity_web.accounts.forms import OrganisationForm, UserCreateForm, UserDetailsForm
from safecity_web.accounts.models import (
    AuditAction,
    Organisation,
    Role,
    TwoFactorDevice,
    User,
)
from safecity_web.accounts.permissions import role_required


def _changes(form: OrganisationForm | UserDetailsForm) -> str:
    return "changed " + ", ".join(form.changed_data) if form.changed_data else "no changes"


@role_required(Role.ADMINISTRATOR)
def administration_home(request: HttpRequest) -> HttpResponse:
    """Links to organisations, users and the audit log."""
    return render(
        request,
        "accounts/admin/home.html",
        {
            "organisation_count": Organisation.objects.count(),
            "user_count": User.objects.count(),
        },
    )


@role_required(Role.ADMINISTRATOR)
def organisation_list(request: HttpRequest) -> HttpResponse:
    """Every partner organisation with its kind and number of users."""
    organisations = Organisation.objects.annotate(user_count=Count("users")).order_by("name")
    return render(
        request, "accounts/admin/organisation_list.html", {"organisations": organisations}
    )


@role_required(Role.ADMINISTRATOR)
def organisation_create(request: HttpRequest) -> HttpResponse:
    """Add a partner organisation."""
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        organisation = form.save()
        record_event(
            request=request,
            action=AuditAction.CREATED,
            subject=organisation,
            detail=f"organisation {organisation.name} ({organisation.get_kind_display()})",
        )
        messages.success(request, f"{organisation.name} has been added.")
        return redirect("accounts:organisation-list")
    return render(
        request, "accounts/admin/organisation_form.html", {"form": form, "organisation": None}
    )


@role_required(Role.ADMINISTRATOR)
def organisation_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """Rename an organisation or change its kind."""
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    form = OrganisationForm(
        request.POST if request.method == "POST" else None, instance=organisation
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        record_event(
            request=request, action=AuditAction.EDITED, subject=organisation, detail=_changes(form)
        )
        messages.success(request, f"{organisation.name} has been updated.")
        return redirect("accounts:organisation-list")
    return render(
        request,
        "accounts/admin/organisation_form.html",
        {"form": form, "organisation": organisation},
    )


@role_required(Role.ADMINISTRATOR)
def user_list(request: HttpRequest) -> HttpResponse:
    """Every user with organisation, role, status and second factor."""
    users = (
        User.objects.select_related("organisation")
        .annotate(two_factor_on=Count("two_factor_device__confirmed_at"))
        .order_by("organisation__name", "username")
    )
    return render(request, "accounts/admin/user_list.html", {"users": users})


@sensitive_post_parameters("password1", "password2")
@role_required(Role.ADMINISTRATOR)
def user_create(request: HttpRequest) -> HttpResponse:
    """Create a user with a role, an organisation and an initial password."""
    form = UserCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        created = form.save()
        record_event(
            request=request,
            action=AuditAction.CREATED,
            subject=created,
            detail=(
                f"user {created.username}: {created.get_role_display()} at {created.organisation}"
            ),
        )
        messages.success(request, f"{created.username} has been created.")
        return redirect("accounts:user-detail", user_id=created.pk)
    return render(request, "accounts/admin/user_create.html", {"form": form})


@role_required(Role.ADMINISTRATOR)
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """One user's details, with deactivate / reactivate and reset second factor."""
    shown = get_object_or_404(User.objects.select_related("organisation"), pk=user_id)
    two_factor_on = TwoFactorDevice.objects.filter(user=shown, confirmed_at__isnull=False).exists()
    return render(
        request,
        "accounts/admin/user_detail.html",
        {"shown": shown, "two_factor_on": two_factor_on, "is_self": shown.pk == request.user.pk},
    )


@role_required(Role.ADMINISTRATOR)
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    """Change a user's name, email, role or organisation."""
    shown = get_object_or_404(User, pk=user_id)
    form = UserDetailsForm(request.POST if request.method == "POST" else None, instance=shown)
    if request.method == "POST" and form.is_valid():
        form.save()
        record_event(
            request=request, action=AuditAction.EDITED, subject=shown, detail=_changes(form)
        )
        messages.success(request, f"{shown.username} has been updated.")
        return redirect("accounts:user-detail", user_id=shown.pk)
    return render(request, "accounts/admin/user_edit.html", {"form": form, "shown": shown})


def _set_active(request: HttpRequest, *, user_id: int, active: bool) -> HttpResponse:
    shown = get_object_or_404(User, pk=user_id)
    if shown.pk == request.user.pk and not active:
        messages.error(request, "You cannot deactivate your own account.")
        return redirect("accounts:user-detail", user_id=shown.pk)
    shown.is_active = active
    shown.save(update_fields=["is_active"])
    state = "reactivated" if active else "deactivated"
    record_event(request=request, action=AuditAction.EDITED, subject=shown, detail=f"user {state}")
    messages.success(request, f"{shown.username} has been {state}.")
    return redirect("accounts:user-detail", user_id=shown.pk)


@require_POST
@role_required(Role.ADMINISTRATOR)
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    """Deactivate a user: they can no longer sign in (the account and its history stay)."""
    return _set_active(request, user_id=user_id, active=False)


@require_POST
@role_required(Role.ADMINISTRATOR)
def user_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    """Let a deactivated user sign in again."""
    return _set_active(request, user_id=user_id, active=True)


@require_POST
@role_required(Role.ADMINISTRATOR)
def user_reset_two_factor(request: HttpRequest, user_id: int) -> HttpResponse:
    """Remove a user's authenticator (lost phone); they sign in with the password only."""
    shown = get_object_or_404(User, pk=user_id)
    deleted, _ = TwoFactorDevice.objects.filter(user=shown).delete()
    if deleted:
        record_event(
            request=request,
            action=AuditAction.SECOND_FACTOR,
            subject=shown,
            detail="authenticator reset by an administrator",
        )
        messages.success(request, f"The authenticator app of {shown.username} has been reset.")
    else:
        messages.info(request, f"{shown.username} has no authenticator app set up.")
    return redirect("accounts:user-detail", user_id=shown.pk)
