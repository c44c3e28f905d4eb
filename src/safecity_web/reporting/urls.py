"""Community reporting's URLs (namespace ``reporting``), mounted at the site root."""

from __future__ import annotations

from safecity_web.reporting.urls_triage import triage_patterns

app_name = "reporting"
urlpatterns = [*triage_patterns]
