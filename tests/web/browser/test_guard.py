"""The page guard itself: it must see what the other browser tests rely on it to catch."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


def test_guard_records_console_errors_page_errors_and_remote_requests(guarded) -> None:
    page = guarded.page
    guarded.goto("/accounts/sign-in/")
    assert guarded.problems() == []

    page.evaluate("() => console.error('deliberate console error')")
    page.evaluate("() => { setTimeout(() => { throw new Error('deliberate page error'); }); }")
    page.wait_for_timeout(200)
    # A navigation off the machine is aborted before it leaves it, and recorded.
    with pytest.raises(PlaywrightError, match="ERR_BLOCKED_BY_CLIENT"):
        page.goto("https://example.org/tracker.js")

    problems = guarded.problems()
    assert any(line.startswith("console error: deliberate console error") for line in problems), (
        problems
    )
    assert any(line.startswith("page error: deliberate page error") for line in problems), problems
    assert "request to a non-local host: https://example.org/tracker.js" in problems
    with pytest.raises(AssertionError, match="the browser saw problems"):
        guarded.assert_clean()


def test_content_security_policy_violations_surface_as_console_errors(guarded) -> None:
    """An inline script without the page's nonce is blocked and reported on the console."""
    page = guarded.page
    guarded.goto("/")
    page.evaluate(
        """() => {
            const script = document.createElement('script');
            script.textContent = 'window.injected = true';
            document.body.appendChild(script);
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected === undefined")
    assert any("Content Security Policy" in line for line in guarded.console_errors), (
        guarded.problems()
    )
