"""URLs of community reporting (namespace ``reporting``, included at the site root)."""

from __future__ import annotations

from safecity_web.reporting.urls_schemes import scheme_patterns

app_name = "reporting"
urlpatterns = [*scheme_patterns]
