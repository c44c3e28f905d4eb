"""Error pages use the GOV.UK layout (not Django's bare pages) in production-like settings."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.views.defaults import server_error


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_unknown_page_is_a_govuk_404(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in html
    assert 'lang="en-GB"' in html
    assert 'href="/indicators/"' in html


def test_server_error_page_needs_no_context(rf: pytest.FixtureRequest) -> None:
    response = server_error(rf.get("/"))  # type: ignore[attr-defined]
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "<script" not in html  # no inline script, so nothing for the CSP to block
