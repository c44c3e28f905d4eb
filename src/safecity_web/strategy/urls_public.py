"""Public URLs of the annual statement (mounted at ``statement/``)."""

from __future__ import annotations

from django.urls import path

from safecity_web.strategy import views_public

app_name = "strategy-public"
urlpatterns = [
    path("", views_public.public_statement, name="statement"),
    path("statement.pdf", views_public.public_statement_pdf, name="statement-pdf"),
    path("versions/<int:version_id>/", views_public.public_statement, name="version"),
    path(
        "versions/<int:version_id>/statement.pdf",
        views_public.public_statement_pdf,
        name="version-pdf",
    ),
]
