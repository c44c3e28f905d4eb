"""Community reporting's URLs (namespace ``reporting``), mounted at the site root."""

from __future__ import annotations

from safecity_web.reporting.urls_schemes import scheme_patterns
from safecity_web.reporting.urls_triage import triage_patterns

app_name = "reporting"
# The schemes' literal paths (partners/reports/duties/, .../schemes/, .../alerts/) come before
# the triage pattern partners/reports/<reference>/, which would otherwise take them.
urlpatterns = [*scheme_patterns, *triage_patterns]
