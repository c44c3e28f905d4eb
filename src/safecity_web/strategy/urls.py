"""URLs of the partner portal (mounted at ``partners/``)."""

from __future__ import annotations

from django.urls import path

from safecity_web.strategy import (
    views_import,
    views_plan,
    views_portal,
    views_statement,
)

app_name = "strategy"
urlpatterns = [
    path("", views_portal.portal_home, name="home"),
    path("strategy/", views_plan.strategy_overview, name="overview"),
    path("strategy/import/", views_import.strategy_import, name="import"),
    path("strategy/bodies/", views_import.bodies, name="bodies"),
    path("strategy/bodies/link/", views_import.body_link, name="body-link"),
    path(
        "strategy/bodies/create-organisation/",
        views_import.body_create_organisation,
        name="body-create-organisation",
    ),
    path("strategy/priorities/<int:priority_id>/", views_plan.priority_detail, name="priority"),
    path(
        "strategy/focus-areas/<int:focus_area_id>/",
        views_plan.focus_area_detail,
        name="focus-area",
    ),
    path("strategy/outcomes/<int:outcome_id>/", views_plan.outcome_detail, name="outcome"),
    path(
        "strategy/outcomes/<int:outcome_id>/indicators/",
        views_plan.outcome_link_indicator,
        name="outcome-link-indicator",
    ),
    path("strategy/actions/<int:action_id>/", views_plan.action_detail, name="action"),
    path("statement/", views_statement.statement_list, name="statement"),
    path("statement/<int:version_id>/", views_statement.statement_edit, name="statement-edit"),
    path(
        "statement/<int:version_id>/publish/",
        views_statement.statement_publish,
        name="statement-publish",
    ),
]
