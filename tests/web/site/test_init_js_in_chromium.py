"""``static/safecity/init.js`` in Chromium under a strict Content-Security-Policy.

A page served with ``script-src 'self'`` and ``style-src 'self'`` (no 'unsafe-eval', no
'unsafe-inline'): a chart whose spec uses Vega expressions (calculate, filter, labelExpr) must
render through vega-interpreter, carry its description as its text alternative, and a spec that
cannot be rendered must leave its data table on the page and nothing in the console.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parents[3] / "src" / "safecity_web" / "static"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGUMENTS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)

TREND_SPEC = {
    "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
    "description": "Rate of burglary per 1,000 households, 2021/22 to 2023/24.",
    "title": "Burglary rate",
    "data": {
        "values": [
            {"year": "2021/22", "count": 70, "households": 20000},
            {"year": "2022/23", "count": 82, "households": 20000},
            {"year": "2023/24", "count": 58, "households": 20000},
            {"year": "none", "count": 0, "households": 0},
        ]
    },
    "transform": [
        {"filter": "datum.households > 0"},
        {"calculate": "1000 * datum.count / datum.households", "as": "rate"},
    ],
    "layer": [
        {
            "mark": {"type": "line", "point": True, "tooltip": True},
            "encoding": {
                # An empty channel: Vega-Lite warns "Dropping {} from channel" - never to the
                # console.
                "color": {},
                "x": {"field": "year", "type": "ordinal", "title": "Financial year"},
                "y": {
                    "field": "rate",
                    "type": "quantitative",
                    "title": "Rate",
                    "axis": {
                        "labelExpr": "format(datum.value, '.2f') + ' per 1,000'",
                        "tickCount": 3,
                    },
                },
            },
        },
        # A reference line: a mark Vega labels with no name of its own (axe svg-img-alt).
        {"mark": {"type": "rule"}, "encoding": {"y": {"datum": 3}}},
    ],
}

# Vega-Lite rejects an unknown mark type: vega-embed's promise rejects.
BROKEN_SPEC = {
    "mark": {"type": "no-such-mark"},
    "data": {"values": [{"a": 1}]},
    "encoding": {"x": {"field": "a", "type": "quantitative"}},
}

PAGE = """<!DOCTYPE html>
<html lang="en-GB" class="govuk-template"><head><meta charset="utf-8"><title>Charts</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/govuk/govuk-frontend.min.css">
<link rel="stylesheet" href="/static/safecity/site.css"></head>
<body class="govuk-template__body js-enabled govuk-frontend-supported">
<main class="govuk-main-wrapper" id="main-content">
<div class="safecity-chart" data-spec-id="spec-trend"></div>
<script type="application/json" id="spec-trend">TREND</script>
<table class="govuk-table" id="table-trend"><tr><td>2021/22</td><td>3.50</td></tr></table>
<div class="safecity-chart" data-spec-id="spec-broken"></div>
<script type="application/json" id="spec-broken">BROKEN</script>
<table class="govuk-table" id="table-broken"><tr><td>kept</td></tr></table>
<div class="safecity-chart" data-spec-id="spec-absent"></div>
<table class="govuk-table" id="table-absent"><tr><td>kept too</td></tr></table>
</main>
<script type="module" src="/static/govuk/govuk-frontend.min.js"></script>
<script type="module" src="/static/safecity/init.js"></script>
</body></html>
"""


class _Handler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", POLICY)
        super().end_headers()

    def do_GET(self) -> None:
        if self.path == "/charts":
            page = PAGE.replace("TREND", json.dumps(TREND_SPEC))
            body = page.replace("BROKEN", json.dumps(BROKEN_SPEC)).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if not self.path.startswith("/static/"):
            self.send_error(404)
            return
        self.path = self.path.removeprefix("/static")
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads the browser's console instead."""


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Handler, directory=str(STATIC))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/charts"
    finally:
        server.shutdown()
        server.server_close()


def test_charts_render_under_a_strict_csp_and_failures_leave_the_table(page_url: str) -> None:
    messages: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGUMENTS)
        try:
            page = browser.new_page()
            page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
            page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
            page.goto(page_url)
            page.wait_for_selector("div[data-spec-id='spec-trend'].safecity-chart--rendered svg")
            page.wait_for_selector(
                "div[data-spec-id='spec-broken'].safecity-chart--failed", state="attached"
            )
            page.wait_for_selector(
                "div[data-spec-id='spec-absent'].safecity-chart--failed", state="attached"
            )
            svg = page.locator("div[data-spec-id='spec-trend'] svg")
            role = svg.get_attribute("role")
            label = svg.get_attribute("aria-label")
            texts = svg.locator("text").all_text_contents()
            broken_children = page.locator("div[data-spec-id='spec-broken'] *").count()
            violations = [
                (violation["id"], violation["impact"])
                for violation in Axe().run(page).response["violations"]
                if violation["impact"] in {"serious", "critical"}
            ]
            tables_visible = [
                page.locator(f"#table-{name}").is_visible()
                for name in ("trend", "broken", "absent")
            ]
        finally:
            browser.close()
    assert messages == []
    # Vega's per-mark roles are removed inside the one labelled image (axe svg-img-alt).
    assert violations == []
    assert role == "img"
    assert label == TREND_SPEC["description"]
    # The filter dropped the year with no households; labelExpr and calculate were interpreted:
    # rates 3.5, 4.1 and 2.9 per 1,000 give axis labels formatted by the expression.
    assert [text for text in texts if "/" in text] == ["2021/22", "2022/23", "2023/24"]
    assert "none" not in texts
    assert "0.00 per 1,000" in texts
    assert "4.00 per 1,000" in texts
    assert "Burglary rate" in texts
    assert broken_children == 0
    assert tables_visible == [True, True, True]
