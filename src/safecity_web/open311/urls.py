"""URLs of the Open311 GeoReport v2 API, included at ``/open311/v2/``."""

from __future__ import annotations

from django.urls import re_path

from safecity_web.open311 import views

FORMAT = r"\.(?P<response_format>[^/]+)$"

app_name = "open311"
urlpatterns = [
    re_path(r"^services" + FORMAT, views.services, name="services"),
    re_path(r"^services/(?P<service_code>[^/]+?)" + FORMAT, views.service, name="service"),
    re_path(r"^requests" + FORMAT, views.service_requests, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[^/]+?)" + FORMAT,
        views.service_request,
        name="request",
    ),
    re_path(r"^(?P<resource>.*)$", views.unknown_resource, name="unknown"),
]
