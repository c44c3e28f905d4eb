"""TOTP second factor: set-up confirmed by a code, sign-in in two steps, single-use codes."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from django.test import Client
from django.urls import reverse
from web_accounts import PASSWORD, PortalPeople

from safecity_web.accounts.models import AuditAction, AuditEvent, Lockout, Role, TwoFactorDevice
from safecity_web.accounts.secret_encryption import SecretDecryptionError, decrypt_secret
from safecity_web.accounts.two_factor import device_secret

SETUP = reverse("accounts:two-factor")
SIGN_IN = reverse("accounts:sign-in")
CODE = reverse("accounts:sign-in-code")


def _set_up(client: Client, clock) -> str:
    """Set up and confirm an authenticator for the signed-in client; return its secret."""
    response = client.get(SETUP)
    assert response.status_code == 200
    device = TwoFactorDevice.objects.get()
    secret = device_secret(device)
    response = client.post(SETUP, {"code": pyotp.TOTP(secret).at(clock.now())})
    assert response.status_code == 302
    return secret


def _other_code(right: str) -> str:
    return f"{(int(right) + 1) % 1_000_000:06d}"


@pytest.mark.django_db
def test_setup_shows_qr_code_and_secret_and_needs_a_right_code(
    client: Client, portal_people: PortalPeople, manual_clock
) -> None:
    user = portal_people.user(Role.ANALYST)
    client.force_login(user)
    html = client.get(SETUP).content.decode()
    device = TwoFactorDevice.objects.get(user=user)
    secret = device_secret(device)
    assert '<svg width="' in html
    assert "<title>QR code for your authenticator app</title>" in html
    grouped = " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))
    assert grouped in html
    # Reloading the page keeps the same secret (the user may already have scanned it).
    client.get(SETUP)
    assert device_secret(TwoFactorDevice.objects.get(user=user)) == secret

    right = pyotp.TOTP(secret).at(manual_clock.now())
    response = client.post(SETUP, {"code": _other_code(right)})
    assert response.status_code == 200
    assert "The code is not correct" in response.content.decode()
    assert TwoFactorDevice.objects.get(user=user).confirmed_at is None

    response = client.post(SETUP, {"code": right[:3] + " " + right[3:]})
    assert response.status_code == 302
    assert TwoFactorDevice.objects.get(user=user).confirmed_at == manual_clock.now()
    event = AuditEvent.objects.get(action=AuditAction.SECOND_FACTOR)
    assert (event.user, event.detail) == (user, "authenticator app turned on")


@pytest.mark.django_db
def test_code_form_errors_are_shown_in_summary_and_inline(
    client: Client, portal_people: PortalPeople, manual_clock
) -> None:
    client.force_login(portal_people.user(Role.ANALYST))
    client.get(SETUP)
    html = client.post(SETUP, {"code": "12ab"}).content.decode()
    assert '<a href="#id_code">The code must be 6 digits, for example 123456</a>' in html
    assert 'aria-describedby="id_code_helptext id_code-error"' in html


@pytest.mark.django_db
def test_sign_in_asks_for_the_code_and_is_not_signed_in_until_it_is_right(
    client: Client, portal_people: PortalPeople, manual_clock
) -> None:
    user = portal_people.user(Role.BOARD_MEMBER)
    client.force_login(user)
    secret = _set_up(client, manual_clock)
    client.post(reverse("accounts:sign-out"))

    manual_clock.advance(minutes=2)
    response = client.post(
        SIGN_IN, {"username": user.username, "password": PASSWORD, "next": "/accounts/"}
    )
    assert response["Location"] == CODE
    assert "_auth_user_id" not in client.session
    # The portal still treats the session as anonymous.
    assert client.get(reverse("accounts:account"))["Location"].startswith(SIGN_IN)

    right = pyotp.TOTP(secret).at(manual_clock.now())
    response = client.post(CODE, {"code": _other_code(right)})
    assert "The code is not correct, or it has already been used" in response.content.decode()
    assert "_auth_user_id" not in client.session

    response = client.post(CODE, {"code": right})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"
    assert client.session["_auth_user_id"] == str(user.pk)
    event = AuditEvent.objects.filter(action=AuditAction.SIGN_IN).get()
    assert event.detail == "password and authenticator code"


@pytest.mark.django_db
def test_a_code_works_only_once(client: Client, portal_people: PortalPeople, manual_clock) -> None:
    user = portal_people.user(Role.ANALYST)
    client.force_login(user)
    secret = _set_up(client, manual_clock)
    client.post(reverse("accounts:sign-out"))
    manual_clock.advance(seconds=60)
    code = pyotp.TOTP(secret).at(manual_clock.now())
    client.post(SIGN_IN, {"username": user.username, "password": PASSWORD})
    assert client.post(CODE, {"code": code}).status_code == 302
    client.post(reverse("accounts:sign-out"))

    manual_clock.advance(seconds=5)  # same 30-second step
    client.post(SIGN_IN, {"username": user.username, "password": PASSWORD})
    response = client.post(CODE, {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    # The next step's code is accepted.
    manual_clock.advance(seconds=30)
    assert client.post(CODE, {"code": pyotp.TOTP(secret).at(manual_clock.now())}).status_code == 302


@pytest.mark.django_db
def test_the_confirmation_code_cannot_be_replayed_at_sign_in(
    client: Client, portal_people: PortalPeople, manual_clock
) -> None:
    user = portal_people.user(Role.ANALYST)
    client.force_login(user)
    secret = _set_up(client, manual_clock)
    client.post(reverse("accounts:sign-out"))
    client.post(SIGN_IN, {"username": user.username, "password": PASSWORD})
    response = client.post(CODE, {"code": pyotp.TOTP(secret).at(manual_clock.now())})
    assert response.status_code == 200


@pytest.mark.django_db
def test_wrong_codes_count_towards_lockout(
    client: Client, portal_people: PortalPeople, manual_clock
) -> None:
    user = portal_people.user(Role.ANALYST)
    client.force_login(user)
    secret = _set_up(client, manual_clock)
    client.post(reverse("accounts:sign-out"))
    client.post(SIGN_IN, {"username": user.username, "password": PASSWORD})
    right = pyotp.TOTP(secret).at(manual_clock.now() + timedelta(minutes=5))
    for _ in range(5):
        response = client.post(CODE, {"code": _other_code(right)})
    assert "Sign-in is paused" in response.content.decode()
    assert Lockout.objects.get().key == user.username
    # The pending password step is forgotten: the code page sends the user back to sign in.
    assert client.post(CODE, {"code": right})["Location"] == SIGN_IN


@pytest.mark.django_db
def test_the_password_step_expires_after_five_minutes(
    client: Client, portal_people: PortalPeople, manual_clock
) -> None:
    user = portal_people.user(Role.ANALYST)
    client.force_login(user)
    secret = _set_up(client, manual_clock)
    client.post(reverse("accounts:sign-out"))
    client.post(SIGN_IN, {"username": user.username, "password": PASSWORD})
    manual_clock.advance(minutes=5, seconds=1)
    response = client.post(CODE, {"code": pyotp.TOTP(secret).at(manual_clock.now())})
    assert response["Location"] == SIGN_IN
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_turning_off_needs_a_current_code(
    client: Client, portal_people: PortalPeople, manual_clock
) -> None:
    user = portal_people.user(Role.PARTNER_OFFICER)
    client.force_login(user)
    secret = _set_up(client, manual_clock)
    turn_off = reverse("accounts:two-factor-disable")
    manual_clock.advance(seconds=30)
    right = pyotp.TOTP(secret).at(manual_clock.now())
    response = client.post(turn_off, {"code": _other_code(right)})
    assert response.status_code == 400
    assert TwoFactorDevice.objects.filter(user=user).exists()
    assert client.post(turn_off, {"code": right}).status_code == 302
    assert not TwoFactorDevice.objects.filter(user=user).exists()
    details = list(
        AuditEvent.objects.filter(action=AuditAction.SECOND_FACTOR)
        .order_by("id")
        .values_list("detail", flat=True)
    )
    assert details == ["authenticator app turned on", "authenticator app turned off"]


@pytest.mark.django_db
def test_secret_is_encrypted_at_rest(
    client: Client, portal_people: PortalPeople, manual_clock, settings
) -> None:
    client.force_login(portal_people.user(Role.ANALYST))
    secret = _set_up(client, manual_clock)
    stored = TwoFactorDevice.objects.get().encrypted_secret
    assert secret not in stored
    assert re.fullmatch(r"[A-Za-z0-9_=-]+", stored)
    assert decrypt_secret(stored) == secret
    # Rotating SECRET_KEY with the old key as a fallback keeps the secret readable ...
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-" + "y" * 50
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert decrypt_secret(stored) == secret
    # ... without the fallback it is a clear error.
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(SecretDecryptionError, match="cannot be decrypted"):
        decrypt_secret(stored)


@pytest.mark.django_db
def test_authenticator_reset_between_the_two_steps_restarts_sign_in(
    client: Client, portal_people: PortalPeople, manual_clock
) -> None:
    user = portal_people.user(Role.ANALYST)
    client.force_login(user)
    _set_up(client, manual_clock)
    client.post(reverse("accounts:sign-out"))
    client.post(SIGN_IN, {"username": user.username, "password": PASSWORD})
    TwoFactorDevice.objects.filter(user=user).delete()
    assert client.get(CODE)["Location"] == SIGN_IN
    assert "_auth_user_id" not in client.session
    response = client.post(SIGN_IN, {"username": user.username, "password": PASSWORD})
    assert response["Location"] == "/partners/"
