"""The report as PDF: WeasyPrint lays out the same HTML with the print stylesheet.

Page numbers, the running header and the security marking of the partners' edition are CSS
``@page`` margin boxes; the PDF is tagged (PDF/UA-1 variant: structure tags, the document
language and title from the HTML) so screen readers can follow it.

References
----------
WeasyPrint documentation, "API: write_pdf options" (``pdf_variant``, ``pdf_tags``,
``custom_metadata``); ISO 14289-1 (PDF/UA-1).
"""

from __future__ import annotations

from pathlib import Path

from weasyprint import HTML  # type: ignore[import-untyped]

PDF_VARIANT = "pdf/ua-1"


def write_pdf(*, html: str, path: Path) -> None:
    """Write the PDF of the report ``html`` to ``path``.

    The HTML is self-contained, so no base URL is given and nothing is fetched: a
    ``url_fetcher`` that refuses every URL makes sure of it.
    """
    document = HTML(string=html, url_fetcher=_refuse_fetch)
    document.write_pdf(
        target=str(path), pdf_variant=PDF_VARIANT, pdf_tags=True, custom_metadata=True
    )


def _refuse_fetch(url: str, timeout: int = 10, ssl_context: object = None) -> dict[str, object]:
    raise ValueError(f"the report must be self-contained, but it refers to {url}")
