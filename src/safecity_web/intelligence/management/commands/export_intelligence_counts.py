"""``python -m safecity_web export_intelligence_counts --out FILE``: the de-identified export.

Writes the ``intelligence-counts`` CSV (``safecity_web.intelligence.counts``: submissions by
area, month (Europe/London), topic and ward; every submission counts, deleted ones too) and,
with ``--warehouse PATH``, loads it into that warehouse with the core's loader (the same as
``safecity load intelligence-counts FILE``). The file holds counts only: no content of any
submission. The export is recorded in the audit log (``exported``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safecity_web import core_gateway
from safecity_web.accounts.models import AuditAction, AuditEvent
from safecity_web.intelligence.counts import export_text

EXPORT_OBJECT_TYPE = "intelligence_counts_export"


class Command(BaseCommand):
    help = "Write the de-identified intelligence-counts CSV (and optionally load it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="the CSV file to write")
        parser.add_argument("--warehouse", type=Path, help="also load the file into this warehouse")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if not out.parent.is_dir():
            raise CommandError(f"--out: the folder {out.parent} does not exist")
        text, written = export_text()
        handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
            os.replace(temporary, out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        AuditEvent.objects.create(
            action=AuditAction.EXPORTED,
            object_type=EXPORT_OBJECT_TYPE,
            object_id=out.name[:100],
            detail=f"de-identified intelligence-counts CSV, {written} rows",
        )
        self.stdout.write(f"wrote {written} rows to {out}")
        if options["warehouse"] is not None:
            try:
                summary = core_gateway.load_intelligence_counts(
                    path=out, warehouse=options["warehouse"]
                )
            except (ValueError, OSError) as error:
                raise CommandError(
                    f"the export was written to {out} but loading it into"
                    f" {options['warehouse']} failed: {error}"
                ) from error
            self.stdout.write(
                f"loaded into {options['warehouse']}: {summary.get('status')},"
                f" {summary.get('loaded')} rows loaded, {summary.get('quarantined')} quarantined"
            )
