"""One palette: no colour is written outside the palette module (issue 17.4).

What is checked, and what is allowed and why:

* Every Python file of ``src/safecity`` and ``src/safecity_web`` is free of colour literals
  (``#rgb``, ``#rgba``, ``#rrggbb``, ``#rrggbbaa``, ``rgb()``, ``rgba()``, ``hsl()``), except
  ``src/safecity/report/figures/palette.py``, where every colour is defined once.
* Every Django and report template (``*.html``, ``*.j2``) is free of them too, except the exact
  literals of ``ALLOWED_TEMPLATE_LITERALS``: the browser's theme colour in the GOV.UK page
  template, the PDF statement's text colours and the report's protective marking in the PDF
  page margins. None draws a chart, a map or a comparison.
* Stylesheets: only the files of ``ALLOWED_STYLESHEETS`` may hold colours, and they are page
  furniture (GOV.UK Frontend's own CSS; the site's focus, tooltip and code-panel colours; the
  API docs' code panel; the report's page colours). No rule of theirs whose selector names a
  comparison tag, a change tag or a spine chart part sets a colour: those come only from the
  generated ``/palette.css``. Vendored JavaScript (Vega) is not the project's code.
"""

from __future__ import annotations

import re
from pathlib import Path

from safecity.report.figures.palette import COMPARISON_STYLES
from safecity.stats.labels import COMPARISON_WORDS, ComparisonLabel

ROOT = Path(__file__).resolve().parents[1]
SOURCE_FOLDERS = (ROOT / "src" / "safecity", ROOT / "src" / "safecity_web")
PALETTE_MODULE = ROOT / "src" / "safecity" / "report" / "figures" / "palette.py"
COLOUR_LITERAL = re.compile(
    r"(?<![\w&])#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{4}|[0-9a-fA-F]{3})(?![\w-])"
    r"|\b(?:rgba?|hsla?)\(",
)
"""A hexadecimal colour (not an HTML character reference such as ``&#123;``) or a colour
function."""
ALLOWED_TEMPLATE_LITERALS = {
    "src/safecity_web/templates/base.html": ["#0b0c0c"],
    "src/safecity_web/strategy/templates/strategy/statement_pdf.html": ["#0b0c0c", "#505a5f"],
    "src/safecity/report/templates/report.html.j2": ["#b10e1e", "#b10e1e"],
}
"""GOV.UK's text colour as the browser's theme colour (``<meta name="theme-color">``, the
GOV.UK page template's value), the statement PDF's text and secondary-text colours, and the
red of the report's protective marking (OFFICIAL-SENSITIVE) in the PDF's top and bottom
margins (report.css's ``--warn``)."""
ALLOWED_STYLESHEETS = {
    "src/safecity_web/static/govuk/govuk-frontend.min.css",
    "src/safecity_web/static/safecity/site.css",
    "src/safecity_web/api/static/api/docs.css",
    "src/safecity/report/templates/report.css",
}
COMPARISON_SELECTOR = re.compile(r"safecity-(?:comparison|change|significance|spine)")


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _files(pattern: str) -> list[Path]:
    return sorted(path for folder in SOURCE_FOLDERS for path in folder.rglob(pattern))


def test_the_pattern_finds_colours_and_nothing_else() -> None:
    found = COLOUR_LITERAL.findall(
        'fill="#d8d8d8" color: #FFF; rgb(1, 2, 3) rgba(0,0,0,.5) #0b0c0c80 hsl(0, 0%, 0%)'
    )
    assert found == ["#d8d8d8", "#FFF", "rgb(", "rgba(", "#0b0c0c80", "hsl("]
    assert COLOUR_LITERAL.findall('href="#main-content" &#123; #1a2b3c4 id="#add-row"') == []


def test_no_colour_literal_in_python_outside_the_palette() -> None:
    offenders = {
        _relative(path): COLOUR_LITERAL.findall(path.read_text(encoding="utf-8"))
        for path in _files("*.py")
        if path != PALETTE_MODULE
    }
    assert {path: found for path, found in offenders.items() if found} == {}
    assert COLOUR_LITERAL.search(PALETTE_MODULE.read_text(encoding="utf-8"))


def test_no_colour_literal_in_templates_but_the_allowed_ones() -> None:
    found = {
        _relative(path): COLOUR_LITERAL.findall(path.read_text(encoding="utf-8"))
        for path in [*_files("*.html"), *_files("*.j2")]
    }
    assert {path: literals for path, literals in found.items() if literals} == (
        ALLOWED_TEMPLATE_LITERALS
    )


def test_stylesheets_are_page_furniture_only() -> None:
    stylesheets = {_relative(path) for path in _files("*.css")}
    assert stylesheets == ALLOWED_STYLESHEETS
    for name in sorted(
        ALLOWED_STYLESHEETS - {"src/safecity_web/static/govuk/govuk-frontend.min.css"}
    ):
        text = re.sub(r"/\*.*?\*/", "", (ROOT / name).read_text(encoding="utf-8"), flags=re.S)
        for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
            if COMPARISON_SELECTOR.search(selector):
                assert not COLOUR_LITERAL.search(body), f"{name}: {selector.strip()}"


def test_report_figures_name_their_colours() -> None:
    # The figure builders use the palette's names (palette.INK, palette.BENCHMARK_COLOURS...).
    builders = sorted((ROOT / "src" / "safecity" / "report" / "figures").glob("*.py"))
    using = [path.name for path in builders if "palette." in path.read_text(encoding="utf-8")]
    assert {"ward_rates.py", "maps.py", "grid_maps.py", "figure.py", "change.py"} <= set(using)


def test_every_comparison_label_has_one_style_and_one_wording() -> None:
    assert set(COMPARISON_STYLES) == set(ComparisonLabel) == set(COMPARISON_WORDS)
    # Fingertips: better/similar/worse with polarity, higher/similar/lower without.
    assert [COMPARISON_WORDS[label] for label in ("Better", "Similar", "Worse")] == [
        "significantly better",
        "similar",
        "significantly worse",
    ]
    assert [COMPARISON_WORDS[label] for label in ("Higher", "Lower")] == [
        "significantly higher",
        "significantly lower",
    ]
    fills = {label: style.fill for label, style in COMPARISON_STYLES.items()}
    assert len(set(fills.values())) == len(fills)  # one label, one colour
