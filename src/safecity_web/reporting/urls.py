"""Community reporting's URLs (namespace ``reporting``), mounted at the site root."""

from __future__ import annotations

from safecity_web.reporting.urls_public import public_patterns
from safecity_web.reporting.urls_schemes import scheme_patterns
from safecity_web.reporting.urls_triage import triage_patterns

app_name = "reporting"
# The report journeys (report/centre/new/...) come before the centre's and business's lists
# (report/centre/<reference>/); the schemes' literal paths (partners/reports/duties/,
# .../schemes/, .../alerts/) before the triage pattern partners/reports/<reference>/, which would
# otherwise take them.
urlpatterns = [*public_patterns, *scheme_patterns, *triage_patterns]
