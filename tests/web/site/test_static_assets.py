"""The committed front-end assets: GOV.UK Frontend without GDS Transport, Vega from static."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[3] / "src" / "safecity_web" / "static"
GOVUK_CSS = STATIC / "govuk" / "govuk-frontend.min.css"
INIT_JS = STATIC / "safecity" / "init.js"
LICENCES = STATIC / "LICENCES.txt"

# The files templates/base.html and safecity/init.js load.
SHIPPED = (
    "govuk/govuk-frontend.min.css",
    "govuk/govuk-frontend.min.js",
    "govuk/assets/images/favicon.ico",
    "safecity/site.css",
    "safecity/init.js",
    "vendor/vega/vega.min.js",
    "vendor/vega/vega-lite.min.js",
    "vendor/vega/vega-embed.min.js",
    "vendor/vega/vega-interpreter.min.js",
)


def _licence_rows() -> list[dict[str, str]]:
    lines = LICENCES.read_text(encoding="utf-8").splitlines()
    header_index = lines.index("package\tversion\tlicence\tfile\tsha256")
    header = lines[header_index].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[header_index + 1 :]]


@pytest.mark.parametrize("relative", SHIPPED)
def test_every_asset_the_templates_load_is_committed(relative: str) -> None:
    assert (STATIC / relative).stat().st_size > 0


def test_govuk_css_has_no_gds_transport_font() -> None:
    css = GOVUK_CSS.read_text(encoding="utf-8")
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "/fonts/" not in css
    assert not list(STATIC.rglob("*.woff*")), "no font files are shipped"
    families = set(re.findall(r"font-family:([^;}]+)", css))
    assert families == {
        'system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif',
        "sans-serif",  # GOV.UK Frontend's print font family
    }


def test_every_url_in_the_govuk_css_is_a_committed_static_file() -> None:
    # collectstatic's manifest storage fails on a url() to a missing file.
    urls = set(re.findall(r"url\(\"?([^\")]+)\"?\)", GOVUK_CSS.read_text(encoding="utf-8")))
    assert urls == {"/static/govuk/assets/images/govuk-crest.svg"}
    for url in urls:
        assert (STATIC / url.removeprefix("/static/")).is_file()


def test_no_shipped_script_refers_to_a_missing_source_map() -> None:
    for script in STATIC.rglob("*.js"):
        assert "sourceMappingURL" not in script.read_text(encoding="utf-8"), script


def test_init_js_loads_nothing_from_outside_the_site() -> None:
    source = INIT_JS.read_text(encoding="utf-8")
    assert re.search(r"https?://|//cdn|unpkg|jsdelivr", source) is None
    imported = re.findall(r"import \{[^}]*\} from \"([^\"]+)\"", source)
    loaded = re.findall(r"\"(\.\./vendor/vega/[^\"]+)\"", source)
    assert imported == ["../govuk/govuk-frontend.min.js"]
    assert loaded == [
        "../vendor/vega/vega.min.js",
        "../vendor/vega/vega-interpreter.min.js",
        "../vendor/vega/vega-lite.min.js",
        "../vendor/vega/vega-embed.min.js",
    ]
    for relative in (*imported, *loaded):
        assert (INIT_JS.parent / relative).resolve().is_file()
    # No eval: the CSP has no 'unsafe-eval', so Vega runs its expressions through vega-interpreter.
    assert "eval(" not in source
    assert "ast: true" in source
    assert "expr: libraries.vega.expressionInterpreter" in source


def test_licences_file_lists_each_package_version_licence_and_current_sha256() -> None:
    rows = _licence_rows()
    versions = {row["package"]: row["version"] for row in rows}
    assert set(versions) == {
        "govuk-frontend",
        "vega",
        "vega-lite",
        "vega-embed",
        "vega-interpreter",
    }
    assert versions["govuk-frontend"].startswith("5.")
    assert versions["vega"].startswith("5.")
    assert versions["vega-lite"].startswith("5.")
    assert versions["vega-embed"].startswith("6.")
    assert {row["licence"] for row in rows} == {"MIT", "BSD-3-Clause"}
    for row in rows:
        digest = hashlib.sha256((STATIC / row["file"]).read_bytes()).hexdigest()
        assert digest == row["sha256"], f"{row['file']} changed since scripts/build-frontend"
    # The minified files carry their versions too.
    assert 'const version="5.14.0"' in (STATIC / "govuk/govuk-frontend.min.js").read_text()
    assert versions["govuk-frontend"] == "5.14.0"
