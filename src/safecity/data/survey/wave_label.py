"""What a survey wave label may be: the loader checks it, the web API's ``wave`` parameter
accepts the same (a light module, so the web can read it without importing the loader)."""

from __future__ import annotations

import re

WAVE_LABEL_TEXT = r"[A-Za-z0-9][A-Za-z0-9 ._/-]{0,63}"
"""Up to 64 letters, digits, spaces and ``. _ / -``, starting with a letter or digit."""
WAVE_LABEL_PATTERN = re.compile(WAVE_LABEL_TEXT)
