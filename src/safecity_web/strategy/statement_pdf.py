"""The annual statement as a tagged PDF (WeasyPrint), from the same blocks as the web page."""

from __future__ import annotations

from django.template.loader import render_to_string

from safecity_web.strategy.models import StatementVersion
from safecity_web.strategy.statement_text import statement_blocks


def statement_pdf(*, version: StatementVersion, site_url: str | None = None) -> bytes:
    """Render a published statement version to PDF/UA-1 (tagged for screen readers).

    ``site_url`` (the site's address) makes the statement's links to the site's pages
    (``/methods/``) absolute in the PDF, where a reader follows them from outside the site.
    """
    from weasyprint import HTML

    html = render_to_string(
        "strategy/statement_pdf.html",
        {"version": version, "blocks": statement_blocks(text=version.body)},
    )
    document = HTML(string=html, base_url=site_url)
    pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    return pdf
