"""The public annual statement: the latest published version, earlier versions, PDFs."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from safecity_web.strategy.models import StatementVersion
from safecity_web.strategy.statement import latest_published_statement
from safecity_web.strategy.statement_pdf import statement_pdf
from safecity_web.strategy.statement_text import statement_blocks


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


@require_GET
def public_statement_pdf(request: HttpRequest, version_id: int | None = None) -> HttpResponse:
    """The statement as a PDF."""
    version = _published(version_id)
    response = HttpResponse(
        statement_pdf(version=version, site_url=request.build_absolute_uri("/")),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        f'inline; filename="annual-statement-{version.period_end.year}-v{version.pk}.pdf"'
    )
    return response
