"""The report as one self-contained HTML file: inline CSS, inline SVG charts, no URLs.

Rendered with Jinja2 (autoescaping on) from ``templates/``; the templates print text the
document model already holds and never compute or format a number.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from safecity.report.document import Document

TEMPLATE = "report.html.j2"
STYLESHEET = "report.css"


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("safecity.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )


@cache
def stylesheet() -> str:
    """The report's stylesheet (screen and print), inlined in every HTML file."""
    resource = resources.files("safecity.report").joinpath("templates", STYLESHEET)
    return resource.read_text(encoding="utf-8")


def render_html(document: Document, *, for_print: bool = False) -> str:
    """The HTML text of ``document``: the same document always gives the same text.

    ``for_print`` gives the page the PDF is laid out from: the same page with each chart as
    an SVG image (with its text alternative as ``alt``) instead of inline SVG, and without the
    collapsed data tables under the charts, which print hides anyway (their data are in
    ``tables/``).
    """
    template = _environment().get_template(TEMPLATE)
    return template.render(document=document, css=stylesheet(), for_print=for_print)
