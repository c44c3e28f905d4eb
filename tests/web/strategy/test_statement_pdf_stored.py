"""The statement PDF is rendered once per published version and served with validators.

Rendering with WeasyPrint takes 0.3 to 1.5 s; before, every anonymous request rendered it
again (issue #15: 16 clients on the PDF slowed every page of the site to seconds). Renders are
counted by wrapping the real renderer: the PDFs compared are real WeasyPrint output.
"""

from __future__ import annotations

import datetime
import io
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from safecity_web.strategy import statement_pdf as statement_pdf_module
from safecity_web.strategy.models import StatementPdf, StatementVersion
from safecity_web.strategy.statement import publish_statement

BODY = (
    "Burglary fell by a fifth in Portswood this year.\n\n## What we did\n\n"
    "- Opened the Bargate safe space on Friday nights.\n"
)


@pytest.fixture
def render_count(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the real renderer ran (a one-item list, updated in place)."""
    count = [0]
    real = statement_pdf_module.statement_pdf
    lock = threading.Lock()

    def counting(**arguments: Any) -> bytes:
        with lock:
            count[0] += 1
        return real(**arguments)

    monkeypatch.setattr(statement_pdf_module, "statement_pdf", counting)
    return count


def _draft(author: Any, *, title: str = "Annual statement 2025") -> StatementVersion:
    return StatementVersion.objects.create(
        title=title,
        period_start=datetime.date(2024, 4, 1),
        period_end=datetime.date(2025, 3, 31),
        body=BODY,
        created_by=author,
    )


def _pdf_text(content: bytes, folder: Path) -> str:
    path = folder / "statement.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.django_db
def test_publishing_renders_the_pdf_once_and_requests_only_read_it(
    client: Client, users: dict[str, Any], render_count: list[int], tmp_path: Path
) -> None:
    draft = _draft(users["analyst"])
    client.force_login(users["analyst"])
    published = client.post(reverse("strategy:statement-publish", kwargs={"version_id": draft.pk}))
    assert published.status_code == 302
    assert render_count[0] == 1
    stored = StatementPdf.objects.get(version=draft)
    client.logout()

    answers = [client.get(reverse("strategy-public:statement-pdf")) for _ in range(5)]
    answers.append(
        client.get(reverse("strategy-public:version-pdf", kwargs={"version_id": draft.pk}))
    )
    assert render_count[0] == 1  # six requests, no render
    assert {answer.status_code for answer in answers} == {200}
    assert {answer.content for answer in answers} == {bytes(stored.content)}
    first = answers[0]
    assert first["Content-Type"] == "application/pdf"
    assert first.content.startswith(b"%PDF-")
    text = _pdf_text(first.content, tmp_path)
    for line in (
        "Annual statement 2025",
        "Burglary fell by a fifth in Portswood this year.",
        "What we did",
        "Opened the Bargate safe space on Friday nights.",
    ):
        assert line in text
    assert "/StructTreeRoot" in PdfReader(io.BytesIO(first.content)).trailer["/Root"]
    assert first["ETag"] == f'"{stored.sha256}"'
    assert first["Cache-Control"] == "public, max-age=300"
    assert answers[-1]["Cache-Control"] == "public, max-age=86400"
    assert first["Content-Disposition"] == (
        f'inline; filename="annual-statement-2025-v{draft.pk}.pdf"'
    )


@pytest.mark.django_db
def test_conditional_requests_get_304_without_the_pdf(
    client: Client, users: dict[str, Any], render_count: list[int]
) -> None:
    draft = _draft(users["analyst"])
    client.force_login(users["analyst"])
    client.post(reverse("strategy:statement-publish", kwargs={"version_id": draft.pk}))
    client.logout()
    url = reverse("strategy-public:statement-pdf")
    full = client.get(url)
    etag, last_modified = full["ETag"], full["Last-Modified"]

    by_etag = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag["ETag"] == etag
    by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert by_date.status_code == 304
    stale = client.get(url, HTTP_IF_NONE_MATCH='"0123456789abcdef"')
    assert stale.status_code == 200
    assert stale.content == full.content
    head = client.head(url)
    assert head.status_code == 200
    assert head["ETag"] == etag
    assert render_count[0] == 1

    # A new version published: the latest URL answers the new PDF, the old ETag no longer
    # matches, and the earlier version keeps its own.
    newer = _draft(users["analyst"], title="Annual statement 2025, corrected")
    client.force_login(users["analyst"])
    client.post(reverse("strategy:statement-publish", kwargs={"version_id": newer.pk}))
    client.logout()
    assert render_count[0] == 2
    after = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200
    assert after["ETag"] != etag
    assert "Annual statement 2025, corrected" in PdfReader(io.BytesIO(after.content)).pages[
        0
    ].extract_text().replace("\n", " ")
    earlier = client.get(
        reverse("strategy-public:version-pdf", kwargs={"version_id": draft.pk}),
        HTTP_IF_NONE_MATCH=etag,
    )
    assert earlier.status_code == 304


@pytest.mark.django_db(transaction=True)
def test_a_version_published_without_a_pdf_is_rendered_once_under_concurrent_requests(
    users: dict[str, Any], render_count: list[int]
) -> None:
    """Published before PDFs were stored (or by another path): the first requests render it
    once between them (a row lock), and every one gets the same bytes."""
    version = publish_statement(version=_draft(users["analyst"]), publisher=users["analyst"])
    assert not StatementPdf.objects.filter(version=version).exists()
    answers: list[tuple[int, bytes]] = []
    lock = threading.Lock()
    start = threading.Barrier(6)

    def fetch() -> None:
        start.wait()
        try:
            response = Client().get(reverse("strategy-public:statement-pdf"))
        finally:
            connection.close()  # this thread's own database connection
        with lock:
            answers.append((response.status_code, response.content))

    threads = [threading.Thread(target=fetch) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert render_count[0] == 1
    assert [status for status, _content in answers] == [200] * 6
    assert len({content for _status, content in answers}) == 1
    assert answers[0][1] == bytes(StatementPdf.objects.get(version=version).content)


@pytest.mark.django_db
def test_drafts_get_no_pdf(client: Client, users: dict[str, Any], render_count: list[int]) -> None:
    draft = _draft(users["analyst"])
    answer = client.get(reverse("strategy-public:version-pdf", kwargs={"version_id": draft.pk}))
    assert answer.status_code == 404
    with pytest.raises(statement_pdf_module.UnpublishedStatementError, match="is a draft"):
        statement_pdf_module.stored_statement_pdf(version=draft, site_url=None)
    assert render_count[0] == 0


@pytest.mark.django_db
def test_a_version_whose_pdf_fails_to_render_stays_a_draft(
    client: Client, users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Publishing and rendering are one transaction: never public without its PDF."""

    def failing(**arguments: Any) -> bytes:
        raise OSError("no space left on device")

    monkeypatch.setattr(statement_pdf_module, "statement_pdf", failing)
    draft = _draft(users["analyst"])
    client.force_login(users["analyst"])
    with pytest.raises(OSError, match="no space left"):
        client.post(reverse("strategy:statement-publish", kwargs={"version_id": draft.pk}))
    draft.refresh_from_db()
    assert draft.published_at is None
    assert not StatementPdf.objects.exists()
    client.logout()
    assert client.get(reverse("strategy-public:statement-pdf")).status_code == 404
