"""Odd input to the sign-in forms is a validation error, never HTTP 500 (issue 15)."""

from __future__ import annotations

import pyotp
import pytest
from django.test import Client
from django.urls import reverse
from web_accounts import PASSWORD, PortalPeople

from safecity_web.accounts.models import Role, TwoFactorDevice
from safecity_web.accounts.two_factor import device_secret, normalise_code

SETUP = reverse("accounts:two-factor")
SIGN_IN = reverse("accounts:sign-in")
CODE = reverse("accounts:sign-in-code")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
CODE_ERROR = "The code must be 6 digits, for example 123456"


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("１２３４５６", "123456"),
        ("١٢٣ ٤٥٦", "123456"),
        ("123-456", "123456"),
        ("１２３４５x", "12345x"),
        ("12\x0034", "12\x0034"),
    ],
)
def test_codes_in_any_script_are_read_as_ascii_digits(typed: str, read: str) -> None:
    assert normalise_code(typed) == read


@pytest.mark.django_db
def test_a_full_width_code_confirms_the_authenticator(
    client: Client, portal_people: PortalPeople, manual_clock
) -> None:
    client.force_login(portal_people.user(Role.ANALYST))
    client.get(SETUP)
    secret = device_secret(TwoFactorDevice.objects.get())
    right = pyotp.TOTP(secret).at(manual_clock.now())
    response = client.post(SETUP, {"code": right.translate(FULL_WIDTH)})
    assert response.status_code == 302
    assert TwoFactorDevice.objects.get().is_confirmed


@pytest.mark.django_db
@pytest.mark.parametrize(
    "code", ["１２３４５６７", "１２３４５", "¹²³⁴⁵⁶x", "١٢٣٤٥", "𝟙𝟚𝟛", "12345\u202e6", "🙂" * 6]
)
def test_odd_codes_at_sign_in_are_form_errors(
    code: str, portal_people: PortalPeople, manual_clock
) -> None:
    user = portal_people.user(Role.ANALYST)
    setup = Client()
    setup.force_login(user)
    setup.get(SETUP)
    secret = device_secret(TwoFactorDevice.objects.get())
    setup.post(SETUP, {"code": pyotp.TOTP(secret).at(manual_clock.now())})
    manual_clock.advance(seconds=90)

    client = Client()
    response = client.post(SIGN_IN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    response = client.post(CODE, {"code": code})
    assert response.status_code == 200
    assert CODE_ERROR in response.content.decode()
    # The right code, typed in full-width or Arabic-Indic digits, then signs in.
    right = pyotp.TOTP(secret).at(manual_clock.now())
    digits = ARABIC_INDIC if code.startswith("١") else FULL_WIDTH
    response = client.post(CODE, {"code": right.translate(digits)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"username": "analyst-own\x00", "password": PASSWORD},
        {"username": "analyst-own", "password": "x\x00y"},
        {"username": "a" * 10_000, "password": "p" * 100_000},
        {"username": "ａｎａｌｙｓｔ-ｏｗｎ", "password": PASSWORD},
        {"username": "\u202eanalyst-own", "password": "' OR 1=1 --"},
    ],
)
def test_odd_sign_in_input_is_refused_cleanly(fields: dict[str, str], portal_people) -> None:
    client = Client()
    response = client.post(SIGN_IN, fields)
    assert response.status_code in (200, 400)
    assert "_auth_user_id" not in client.session
