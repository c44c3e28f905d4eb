"""Security headers on every response: a nonce-based Content-Security-Policy and Permissions-Policy.

``request.csp_nonce`` is a fresh random value per request; templates put it on their inline
scripts (``<script nonce="{{ request.csp_nonce }}">``). Scripts run only from this origin or with
that nonce. Styles allow ``'unsafe-inline'`` because vega-embed and vega-tooltip insert
``<style>`` elements without a nonce; scripts stay strict. HSTS comes from the production
settings (``SECURE_HSTS_SECONDS``), the Referrer-Policy and frame denial from Django's
``SecurityMiddleware`` / ``XFrameOptionsMiddleware`` settings. References: W3C Content Security
Policy Level 3; OWASP Secure Headers Project.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

NONCE_BYTES = 18
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def content_security_policy(*, nonce: str) -> str:
    """The CSP header value for a response whose inline scripts carry ``nonce``."""
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeadersMiddleware:
    """Set ``request.csp_nonce`` and add CSP and Permissions-Policy headers to the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(NONCE_BYTES)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy(nonce=nonce))
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
