"""TOTP second factor (RFC 6238, 30-second steps, 6 digits, SHA-1 as authenticator apps expect).

A code is accepted for the current step or one step either side (clock drift), and only once:
the device remembers the last step used and a code for that step or an earlier one is refused.
"""

from __future__ import annotations

import hmac
import unicodedata
from datetime import datetime

import pyotp
import segno
from django.db.models import Q

from safecity_web.accounts.models import TwoFactorDevice, User
from safecity_web.accounts.secret_encryption import decrypt_secret, encrypt_secret

ISSUER = "Safe City partner portal"
CODE_DIGITS = 6
DRIFT_STEPS = 1


def start_setup(*, user: User, now: datetime) -> TwoFactorDevice:
    """A new unconfirmed device for ``user`` (replacing an unconfirmed one); not yet in force."""
    TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=True).delete()
    return TwoFactorDevice.objects.create(
        user=user, encrypted_secret=encrypt_secret(pyotp.random_base32()), created_at=now
    )


def device_secret(device: TwoFactorDevice) -> str:
    """The device's base32 secret (decrypted)."""
    return decrypt_secret(device.encrypted_secret)


def provisioning_uri(device: TwoFactorDevice) -> str:
    """The ``otpauth://`` URI an authenticator app scans."""
    return pyotp.TOTP(device_secret(device)).provisioning_uri(
        name=device.user.get_username(), issuer_name=ISSUER
    )


def qr_code_svg(device: TwoFactorDevice) -> str:
    """The provisioning URI as an inline SVG QR code (no external image, no script)."""
    code = segno.make(provisioning_uri(device), error="m")
    svg: str = code.svg_inline(scale=4, title="QR code for your authenticator app")
    return svg


def grouped_secret(device: TwoFactorDevice) -> str:
    """The secret in groups of four characters, easier to read out or type."""
    secret = device_secret(device)
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def normalise_code(code: str) -> str:
    """The code in ASCII digits, without spaces or hyphens (apps often display ``123 456``).

    Decimal digits of any script (full-width ``１２３４５６`` from a Japanese keyboard, Arabic-Indic
    ``١٢٣``) become ASCII digits; any other character is kept, so the code is then refused.
    """
    kept = unicodedata.normalize("NFKC", code).replace(" ", "").replace("-", "").strip()
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in kept)


def verify_code(*, device: TwoFactorDevice, code: str, now: datetime) -> bool:
    """Whether ``code`` is right for ``now`` and unused; if so, mark its step used."""
    code = normalise_code(code)
    if len(code) != CODE_DIGITS or not (code.isascii() and code.isdecimal()):
        return False
    totp = pyotp.TOTP(device_secret(device))
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if device.last_used_timestep is not None and step <= device.last_used_timestep:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            # Conditional update: two concurrent requests with one code cannot both succeed.
            claimed = (
                TwoFactorDevice.objects.filter(pk=device.pk)
                .filter(Q(last_used_timestep__isnull=True) | Q(last_used_timestep__lt=step))
                .update(last_used_timestep=step)
            )
            if claimed == 1:
                device.last_used_timestep = step
                return True
            return False
    return False


def confirmed_device(user: User) -> TwoFactorDevice | None:
    """The user's confirmed device, or ``None`` when sign-in needs only the password."""
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
