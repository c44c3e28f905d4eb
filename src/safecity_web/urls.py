"""The site's URLs: the public observatory at ``/``, the API at ``/api/v1/``, the partner portal."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("safecity_web.observatory.urls")),
    path("api/", include("safecity_web.api.urls")),
    path("accounts/", include("safecity_web.accounts.urls")),
    path("partners/assessments/", include("safecity_web.commentary.urls")),
    path("", include("safecity_web.reporting.urls")),
    path("partners/intelligence/", include("safecity_web.intelligence.urls")),
    path("", include("safecity_web.alerts.urls")),
    path("partners/", include("safecity_web.strategy.urls")),
    path("statement/", include("safecity_web.strategy.urls_public")),
    path("open311/v2/", include("safecity_web.open311.urls")),
]
