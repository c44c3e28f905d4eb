"""``python -m safecity_web COMMAND``: Django's management commands for the Safe City site."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run a Django management command with the Safe City settings (development by default)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safecity_web.settings.development")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
