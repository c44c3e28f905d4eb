"""Security headers on every response: a nonce-based Content-Security-Policy and Permissions-Policy.

``request.csp_nonce`` is a fresh random value per request; templates put it on their inline
scripts (``<script nonce="{{ request.csp_nonce }}">``). Scripts run only from this origin or with
that nonce. Styles come only from this origin too: ``static/safecity/init.js`` turns off the
``<style>`` elements vega-embed and vega-tooltip would inject (``defaultStyle: false``,
``disableDefaultStyle``), and Vega sets element styles through the CSSOM, which CSP allows;
no template may use a ``style`` attribute. HSTS comes from the production
settings (``SECURE_HSTS_SECONDS``), the Referrer-Policy and frame denial from Django's
``SecurityMiddleware`` / ``XFrameOptionsMiddleware`` settings. References: W3C Content Security
Policy Level 3; OWASP Secure Headers Project.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

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
        "style-src": "'self'",
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
    """Set ``request.csp_nonce``; add CSP and Permissions-Policy headers to every response.

    Responses to signed-in users that set no ``Cache-Control`` get ``private, no-cache``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(NONCE_BYTES)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy(nonce=nonce))
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            # A signed-in user's pages are theirs alone: no shared cache may keep them.
            patch_cache_control(response, private=True, no_cache=True)
        return response
