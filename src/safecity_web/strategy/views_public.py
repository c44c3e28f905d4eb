"""The public annual statement: the latest published version, earlier versions, PDFs.

A version's PDF is rendered once (when it is published) and served from the database with a
strong ``ETag`` (its SHA-256) and ``Last-Modified`` (when it was rendered): a conditional
request with a current copy is answered 304 without reading the PDF.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_GET, require_safe

from safecity_web.strategy.models import StatementPdf, StatementVersion
from safecity_web.strategy.statement import latest_published_statement
from safecity_web.strategy.statement_pdf import stored_statement_pdf
from safecity_web.strategy.statement_text import statement_blocks

LATEST_PDF_CACHE_CONTROL = "public, max-age=300"
"""The latest statement changes when a new version is published: caches keep it 5 minutes and
then revalidate it (a 304 when nothing was published)."""
VERSION_PDF_CACHE_CONTROL = "public, max-age=86400"
"""A published version's PDF never changes: caches may keep it a day."""


def _published(version_id: int | None) -> StatementVersion:
    if version_id is None:
        version = latest_published_statement()
        if version is None:
            raise Http404("No annual statement has been published yet")
        return version
    return get_object_or_404(StatementVersion, pk=version_id, published_at__isnull=False)


@require_GET
def public_statement(request: HttpRequest, version_id: int | None = None) -> HttpResponse:
    """The annual public statement page (latest published, or an earlier version)."""
    if version_id is None and latest_published_statement() is None:
        return render(request, "strategy/public_statement_none.html", status=404)
    version = _published(version_id)
    latest = latest_published_statement()
    return render(
        request,
        "strategy/public_statement.html",
        {
            "version": version,
            "is_latest": latest is not None and latest.pk == version.pk,
            "blocks": statement_blocks(text=version.body),
            "earlier": StatementVersion.objects.filter(published_at__isnull=False)
            .exclude(pk=version.pk)
            .order_by("-published_at"),
        },
    )


@require_safe
def public_statement_pdf(request: HttpRequest, version_id: int | None = None) -> HttpResponse:
    """The statement as a PDF: the stored rendering, or 304 when the client's copy is current."""
    version = _published(version_id)
    stored = StatementPdf.objects.filter(version_id=version.pk).defer("content").first()
    if stored is None:  # published before PDFs were stored: rendered once, now
        stored = stored_statement_pdf(version=version, site_url=request.build_absolute_uri("/"))
    etag = f'"{stored.sha256}"'
    last_modified = int(stored.rendered_at.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = HttpResponse(bytes(stored.content), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="annual-statement-{version.period_end.year}-v{version.pk}.pdf"'
        )
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = (
        LATEST_PDF_CACHE_CONTROL if version_id is None else VERSION_PDF_CACHE_CONTROL
    )
    return response
