"""End-to-end browser fixtures: the real site under gunicorn, Debian's Chromium, a page guard.

The site (``web_server.running_site``) runs with the production settings on PostgreSQL with the
demo city's assessment published; it starts once per test session. Chromium is Debian's
(``/usr/bin/chromium``): ``playwright install`` cannot download browsers here.

Every page a test opens is guarded (``GuardedPage``): console messages of type ``error``,
uncaught page errors, server errors (HTTP 5xx) and any request to a host other than the
loopback server are recorded (the request is also aborted, so nothing leaves the machine); each
test ends with ``guard.assert_clean()``.

Playwright's sync API runs an event loop while it is started, which makes Django refuse ORM calls
in the same thread (``SynchronousOnlyOperation``); the browser is therefore module-scoped, so it
is stopped before the other web tests of the session touch the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    Request,
    Response,
    Route,
    expect,
    sync_playwright,
)
from web_server import RunningSite, running_site

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
# Playwright's assertions wait 5 s by default; the machine may be busy with other test runs.
expect.set_options(timeout=15_000)
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
SOUTHAMPTON_STRATEGY = "southampton-safe-city-strategy-2022-2027.yaml"


@pytest.fixture(scope="session")
def demo_assessment(site: RunningSite, request: pytest.FixtureRequest) -> Path:
    """The demo city's Assessment artefact folder that the ``site`` published."""
    artefact: Path = request.getfixturevalue("demo_artefact")
    return artefact


@pytest.fixture(scope="session")
def strategy_file(request: pytest.FixtureRequest) -> Path | None:
    """The reference strategy beside the shared data, or None when the data are absent.

    Only the portal tests need it; they ask for ``shared_data`` themselves, which skips them
    locally (and fails them under CI) when it is missing.
    """
    try:
        shared_data: Path = request.getfixturevalue("shared_data")
    except pytest.skip.Exception:
        return None
    return shared_data.parent / "strategy" / SOUTHAMPTON_STRATEGY


@pytest.fixture(scope="session")
def site(request: pytest.FixtureRequest, strategy_file: Path | None) -> Iterator[RunningSite]:
    """The whole site (gunicorn, production settings, PostgreSQL) with the demo published.

    The demo city's assessment is the session's shared ``demo_artefact`` (built by the core
    once per session, ``tests/web/conftest.py``); when no other test built it yet, it is built
    while the site's migrations and ``collectstatic`` run. A user per role is created and the
    reference strategy imported when the shared data are present.
    """

    def artefact() -> Path:
        built: Path = request.getfixturevalue("demo_artefact")
        return built

    with running_site(assessment=artefact, strategy=strategy_file) as running:
        yield running


@pytest.fixture(scope="session")
def published_assessment_id(site: RunningSite) -> int:
    """Id of the published demo assessment, as the API lists it."""
    response = httpx.get(site.url("/api/v1/assessments"), timeout=30)
    response.raise_for_status()
    published = [item for item in response.json()["data"] if item["status"] == "published"]
    assert len(published) == 1, f"expected one published assessment: {published}"
    return int(published[0]["id"])


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, started once per test module."""
    with sync_playwright() as playwright_api:
        yield _launch(playwright_api)


def _launch(playwright_api: Playwright) -> Browser:
    return playwright_api.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)


@dataclass
class GuardedPage:
    """A page whose console errors, page errors, 5xx responses and remote requests are kept."""

    page: Page
    site: RunningSite
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    remote_requests: list[str] = field(default_factory=list)

    def goto(self, path: str) -> Response:
        """Open ``path`` on the site; fail unless the answer is 200."""
        response = self.page.goto(self.site.url(path), wait_until="load")
        assert response is not None, f"no response for {path}"
        assert response.status == 200, (
            f"GET {path} answered {response.status}\n{self.site.server_log()[-3000:]}"
        )
        return response

    def problems(self) -> list[str]:
        """Everything that went wrong in the browser so far, one line each."""
        return [
            *(f"console error: {text}" for text in self.console_errors),
            *(f"page error: {text}" for text in self.page_errors),
            *(f"server error: {text}" for text in self.server_errors),
            *(f"request to a non-local host: {url}" for url in self.remote_requests),
        ]

    def assert_clean(self) -> None:
        """Fail with every console error, page error, 5xx and remote request recorded."""
        problems = self.problems()
        assert not problems, "the browser saw problems:\n" + "\n".join(problems)


def _attach(page: Page, guard: GuardedPage) -> None:
    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            location = message.location or {}
            guard.console_errors.append(
                f"{message.text} (at {location.get('url', '?')}:{location.get('lineNumber', '?')};"
                f" page {page.url})"
            )

    def on_page_error(error: Error) -> None:
        guard.page_errors.append(f"{error.message} (page {page.url})\n{error.stack or ''}")

    def on_response(response: Response) -> None:
        if response.status >= 500:
            guard.server_errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("response", on_response)


@pytest.fixture
def context(browser: Browser, site: RunningSite) -> Iterator[BrowserContext]:
    """A fresh browser context (no cookies) that refuses every request off the loopback host."""
    browser_context = browser.new_context(base_url=site.base_url, locale="en-GB")
    browser_context.set_default_timeout(15_000)
    yield browser_context
    browser_context.close()


@pytest.fixture
def guarded(context: BrowserContext, site: RunningSite) -> GuardedPage:
    """A page of ``context`` under guard (see ``GuardedPage``)."""
    page = context.new_page()
    guard = GuardedPage(page=page, site=site)

    def only_local(route: Route, request: Request) -> None:
        host = urlsplit(request.url).hostname or ""
        if request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
            return
        guard.remote_requests.append(request.url)
        route.abort("blockedbyclient")

    context.route("**/*", only_local)
    _attach(page, guard)
    return guard


def _serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations of impact serious or critical on the page as it is now.

    axe-core (bundled by axe-playwright-python, run offline) is evaluated through the DevTools
    protocol, which the page's Content-Security-Policy does not restrict, so the site's CSP stays
    on for the scan.
    """
    results = Axe().run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    return [violation for violation in violations if violation.get("impact") in BLOCKING_IMPACTS]


def _describe_violations(violations: list[dict[str, Any]], *, url: str) -> str:
    """One block per violation: rule id, impact, help and each offending element."""
    lines = [f"{len(violations)} serious/critical axe violations on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" [{violation.get('helpUrl', '')}]"
        )
        for node in violation.get("nodes", [])[:10]:
            lines.append(f"    {node.get('target')}: {node.get('html', '')[:200]}")
            summary = node.get("failureSummary", "")
            if summary:
                lines.append("      " + summary.replace("\n", "\n      "))
    return "\n".join(lines)


AxeCheck = Callable[[Page], None]


@pytest.fixture
def assert_accessible() -> AxeCheck:
    """A check that fails with every serious or critical axe-core violation on a page."""

    def check(page: Page) -> None:
        violations = _serious_violations(page)
        assert not violations, _describe_violations(violations, url=page.url)

    return check
