"""WSGI entry point (gunicorn ``safecity_web.wsgi:application``)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safecity_web.settings.development")
application = get_wsgi_application()
