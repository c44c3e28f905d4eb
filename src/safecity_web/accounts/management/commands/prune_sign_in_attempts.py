"""Delete sign-in attempts, ended lockouts and throttled requests older than a retention period.

Sign-in attempts hold IP addresses (personal data under UK GDPR); they are needed only for the
lockout window (password-reset requests, also keyed by address, for the rate-limit window),
so a daily ``python -m safecity_web prune_sign_in_attempts`` keeps 30 days by
default. The audit log is not touched: its retention is the partnership's policy.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safecity_web.accounts import clock
from safecity_web.accounts.models import Lockout, SignInAttempt, ThrottledRequest, ThrottleLock


class Command(BaseCommand):
    help = "Delete sign-in attempts and ended lockouts older than --older-than-days (30)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than-days", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        days: int = options["older_than_days"]
        if days < 1:
            raise CommandError(f"--older-than-days must be at least 1, got {days}")
        cutoff = clock.now() - timedelta(days=days)
        attempts, _ = SignInAttempt.objects.filter(attempted_at__lt=cutoff).delete()
        lockouts, _ = Lockout.objects.filter(locked_until__lt=cutoff).delete()
        requests, _ = ThrottledRequest.objects.filter(requested_at__lt=cutoff).delete()
        # Lock rows carry no data and are made again on demand (keys are addresses: personal).
        ThrottleLock.objects.all().delete()
        self.stdout.write(
            f"deleted {attempts} sign-in attempts, {lockouts} lockouts and "
            f"{requests} password-reset requests "
            f"from before {cutoff.isoformat()}"
        )
