"""``python -m safecity_web export_community_reports --out FILE``: the de-identified export.

Writes the ``community-reports`` CSV (``safecity_web.reporting.export``) for the months given
(``--from``/``--to``, ``YYYY-MM``, both inclusive; default: every month) and, with
``--warehouse PATH``, loads it into that warehouse with the core's loader (the same as
``safecity load community-reports FILE``). The file holds counts only: no personal data. The
export is recorded in the audit log (``exported``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safecity_web import core_gateway
from safecity_web.accounts.models import AuditAction, AuditEvent
from safecity_web.reporting.export import (
    ExportPeriodError,
    export_rows,
    parse_month,
    write_export,
)


class Command(BaseCommand):
    help = "Write the de-identified community-reports CSV (and optionally load it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="the CSV file to write")
        parser.add_argument("--from", dest="from_month", help="first month, YYYY-MM")
        parser.add_argument("--to", dest="to_month", help="last month, YYYY-MM")
        parser.add_argument("--warehouse", type=Path, help="also load the file into this warehouse")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        try:
            from_month = (
                parse_month(text=options["from_month"], option="--from")
                if options["from_month"]
                else None
            )
            to_month = (
                parse_month(text=options["to_month"], option="--to")
                if options["to_month"]
                else None
            )
            rows = export_rows(from_month=from_month, to_month=to_month)
        except ExportPeriodError as error:
            raise CommandError(str(error)) from error
        if not out.parent.is_dir():
            raise CommandError(f"--out: the folder {out.parent} does not exist")
        handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                written = write_export(rows=rows, stream=stream)
            os.replace(temporary, out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        period = f"{options['from_month'] or 'start'} to {options['to_month'] or 'end'}"
        AuditEvent.objects.create(
            action=AuditAction.EXPORTED,
            object_type="community_reports_export",
            object_id=out.name[:100],
            detail=f"de-identified community-reports CSV, {written} rows, {period}",
        )
        self.stdout.write(f"wrote {written} rows to {out}")
        if options["warehouse"] is not None:
            try:
                summary = core_gateway.load_community_reports(
                    path=out, warehouse=options["warehouse"]
                )
            except (ValueError, OSError) as error:
                raise CommandError(
                    f"the export was written to {out} but loading it into "
                    f"{options['warehouse']} failed: {error}"
                ) from error
            counts = ", ".join(f"{key}={value}" for key, value in summary.items())
            self.stdout.write(f"loaded into {options['warehouse']}: {counts}")
