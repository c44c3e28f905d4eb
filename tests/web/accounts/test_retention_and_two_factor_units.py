"""Retention of sign-in attempts; the authenticator's provisioning URI and code checks."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from django.core.management import CommandError, call_command
from web_accounts import PortalPeople

from safecity_web.accounts.lockout import record_failure
from safecity_web.accounts.models import Lockout, Role, SignInAttempt
from safecity_web.accounts.two_factor import (
    device_secret,
    provisioning_uri,
    start_setup,
    verify_code,
)


@pytest.mark.django_db
def test_prune_keeps_recent_attempts_only(manual_clock) -> None:
    start = manual_clock.now()
    for _ in range(5):
        record_failure(username="someone", ip_address="192.0.2.1", now=start)
    manual_clock.advance(days=31)
    record_failure(username="someone", ip_address="192.0.2.1", now=manual_clock.now())
    output = StringIO()
    call_command("prune_sign_in_attempts", stdout=output)
    assert SignInAttempt.objects.count() == 1
    assert not Lockout.objects.exists()
    assert output.getvalue().startswith(
        "deleted 5 sign-in attempts, 1 lockouts and 0 password-reset requests"
    )
    with pytest.raises(CommandError, match="--older-than-days must be at least 1, got 0"):
        call_command("prune_sign_in_attempts", older_than_days=0)


@pytest.mark.django_db
def test_provisioning_uri_names_user_issuer_and_secret(
    portal_people: PortalPeople, manual_clock
) -> None:
    device = start_setup(user=portal_people.user(Role.ANALYST), now=manual_clock.now())
    uri = urlsplit(provisioning_uri(device))
    query = parse_qs(uri.query)
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert uri.path == "/Safe%20City%20partner%20portal:analyst-own"
    assert query["secret"] == [device_secret(device)]
    assert query["issuer"] == ["Safe City partner portal"]
    assert len(device_secret(device)) == 32


@pytest.mark.django_db
def test_codes_one_step_either_side_are_accepted_two_are_not(
    portal_people: PortalPeople, manual_clock
) -> None:
    now = manual_clock.now()
    device = start_setup(user=portal_people.user(Role.ANALYST), now=now)
    totp = pyotp.TOTP(device_secret(device))
    assert not verify_code(device=device, code=totp.at(now - timedelta(seconds=60)), now=now)
    assert not verify_code(device=device, code=totp.at(now + timedelta(seconds=60)), now=now)
    assert verify_code(device=device, code=totp.at(now - timedelta(seconds=30)), now=now)
    # A later step is still usable; the same or an earlier one is not.
    assert not verify_code(device=device, code=totp.at(now - timedelta(seconds=30)), now=now)
    assert verify_code(device=device, code=totp.at(now + timedelta(seconds=30)), now=now)
    assert not verify_code(device=device, code=totp.at(now), now=now)
    device.refresh_from_db()
    assert device.last_used_timestep == totp.timecode(now) + 1
    assert not verify_code(device=device, code="abcdef", now=now)
