"""The annual statement as a tagged PDF (WeasyPrint), from the same blocks as the web page.

Rendering takes 0.3 to 1.5 s of a CPU, so it happens once per published version:
:func:`stored_statement_pdf` renders it when the version is published and keeps the bytes in
:class:`~safecity_web.strategy.models.StatementPdf`; the public PDF URLs serve those bytes.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string

from safecity_web.accounts.models import User
from safecity_web.strategy.models import StatementPdf, StatementVersion
from safecity_web.strategy.statement import publish_statement
from safecity_web.strategy.statement_text import statement_blocks


class UnpublishedStatementError(ValueError):
    """A PDF was asked to be stored for a draft (only published versions are public)."""


def statement_pdf(*, version: StatementVersion, site_url: str | None = None) -> bytes:
    """Render a statement version to PDF/UA-1 (tagged for screen readers).

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


def stored_statement_pdf(*, version: StatementVersion, site_url: str | None) -> StatementPdf:
    """The stored PDF of a published version, rendered now if it has not been yet.

    The version's row is locked while rendering, so that many first requests at once render
    it once (the others wait and read the stored bytes).

    Raises
    ------
    UnpublishedStatementError
        When ``version`` is a draft.
    """
    if not version.is_published:
        raise UnpublishedStatementError(
            f"statement version {version.pk} is a draft: only published versions get a PDF"
        )
    found = StatementPdf.objects.filter(version_id=version.pk).first()
    if found is not None:
        return found
    with transaction.atomic():
        StatementVersion.objects.select_for_update().filter(pk=version.pk).first()
        found = StatementPdf.objects.filter(version_id=version.pk).first()
        if found is None:
            content = statement_pdf(version=version, site_url=site_url)
            found = StatementPdf.objects.create(
                version=version, content=content, sha256=hashlib.sha256(content).hexdigest()
            )
    return found


def publish_with_pdf(
    *,
    version: StatementVersion,
    publisher: User,
    site_url: str | None,
    request: HttpRequest | None = None,
) -> StatementPdf:
    """Publish a draft version and render its PDF, in one transaction (audit-logged).

    A version is never public without its PDF: if rendering fails, the version stays a draft.
    """
    with transaction.atomic():
        publish_statement(version=version, publisher=publisher, request=request)
        return stored_statement_pdf(version=version, site_url=site_url)
