"""URLs of the accounts app: sign-in, own account, password reset, administration, audit log."""

from __future__ import annotations

from django.urls import path

from safecity_web.accounts.models import Role
from safecity_web.accounts.permissions import role_required
from safecity_web.accounts.views import account, administration, audit_log, passwords, sign_in
from safecity_web.accounts.views import two_factor as two_factor_views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", sign_in.sign_in, name="sign-in"),
    path("sign-in/code/", sign_in.sign_in_code, name="sign-in-code"),
    path("sign-out/", sign_in.sign_out, name="sign-out"),
    path("", account.account_home, name="account"),
    path(
        "password/",
        role_required(*Role)(passwords.PasswordChangeView.as_view()),
        name="password-change",
    ),
    path("password-reset/", passwords.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password-reset/sent/",
        passwords.PasswordResetSentView.as_view(),
        name="password-reset-sent",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        passwords.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/complete/",
        passwords.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("two-factor/", two_factor_views.two_factor, name="two-factor"),
    path("two-factor/turn-off/", two_factor_views.two_factor_disable, name="two-factor-disable"),
    path("admin/", administration.administration_home, name="admin-home"),
    path("admin/organisations/", administration.organisation_list, name="organisation-list"),
    path(
        "admin/organisations/new/",
        administration.organisation_create,
        name="organisation-create",
    ),
    path(
        "admin/organisations/<int:organisation_id>/edit/",
        administration.organisation_edit,
        name="organisation-edit",
    ),
    path("admin/users/", administration.user_list, name="user-list"),
    path("admin/users/new/", administration.user_create, name="user-create"),
    path("admin/users/<int:user_id>/", administration.user_detail, name="user-detail"),
    path("admin/users/<int:user_id>/edit/", administration.user_edit, name="user-edit"),
    path(
        "admin/users/<int:user_id>/deactivate/",
        administration.user_deactivate,
        name="user-deactivate",
    ),
    path(
        "admin/users/<int:user_id>/reactivate/",
        administration.user_reactivate,
        name="user-reactivate",
    ),
    path(
        "admin/users/<int:user_id>/reset-two-factor/",
        administration.user_reset_two_factor,
        name="user-reset-two-factor",
    ),
    path("audit/", audit_log.audit_log, name="audit-log"),
]
