"""URLs of alerts (namespace ``alerts``): the portal's pages under ``/partners/alerts/``, and
the one-click unsubscribe link of alert emails, ``/alerts/unsubscribe/<token>/``, reached
without signing in (the signed token is the authority).
"""

from __future__ import annotations

from django.urls import path

from safecity_web.alerts import views

app_name = "alerts"

urlpatterns = [
    path("partners/alerts/", views.alert_list, name="list"),
    path("partners/alerts/read/", views.mark_all_read, name="mark-all-read"),
    path("partners/alerts/<int:alert_id>/read/", views.mark_read, name="mark-read"),
    path("partners/alerts/subscriptions/", views.subscriptions, name="subscriptions"),
    path(
        "partners/alerts/subscriptions/<int:subscription_id>/remove/",
        views.subscription_remove,
        name="subscription-remove",
    ),
    path("partners/alerts/frequency/", views.by_role_frequency, name="frequency"),
    path("alerts/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
