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

PDF_VARIANT = "pdf/ua-1"


def write_pdf(*, html: str, path: Path) -> None:
    """Write the PDF of the report ``html`` to ``path``.

    ``html`` is the print version of the page (``render_html(document, for_print=True)``),
    whose charts are SVG images in ``data:`` URIs. It is self-contained, so no base URL is
    given and nothing else is fetched: a fetcher allowing only ``data:`` URIs, and failing
    the PDF on any other, makes sure of it.
    """
    # Imported here: WeasyPrint takes about a second to import, and every `safecity` command
    # would otherwise pay it at start-up.
    from weasyprint import HTML  # type: ignore[import-untyped]  # noqa: PLC0415
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]  # noqa: PLC0415

    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    document = HTML(string=html, url_fetcher=fetcher)
    document.write_pdf(
        target=str(path), pdf_variant=PDF_VARIANT, pdf_tags=True, custom_metadata=True
    )
