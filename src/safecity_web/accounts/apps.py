"""Accounts: partner organisations, users, roles, sign-in security and the audit log."""

from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """The accounts app."""

    name = "safecity_web.accounts"
    label = "accounts"
    verbose_name = "Accounts and audit"
