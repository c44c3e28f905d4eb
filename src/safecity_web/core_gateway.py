"""The one module through which the web application calls the Safe City core.

Views, management commands and the API never import :mod:`safecity` themselves (an
import-linter contract checks it); they call the functions here.
"""

from __future__ import annotations
