"""How long each stage of writing a report took (printed by the benchmark and the command)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class ReportTimings:
    """Seconds spent in each stage of one report, and from start to finish.

    The chart files are written in a second thread while the HTML is templated and the PDF
    laid out, so the stages add up to more than ``wall_seconds``.
    """

    reading_seconds: float = 0.0
    chart_seconds: float = 0.0
    document_seconds: float = 0.0
    template_seconds: float = 0.0
    files_seconds: float = 0.0
    pdf_seconds: float = 0.0
    wall_seconds: float = 0.0

    @property
    def total_seconds(self) -> float:
        """All stages added up (more than the wall-clock time: two stages overlap)."""
        return (
            self.reading_seconds
            + self.chart_seconds
            + self.document_seconds
            + self.template_seconds
            + self.files_seconds
            + self.pdf_seconds
        )

    def as_dict(self) -> dict[str, float]:
        """The stages and the total, rounded to milliseconds."""
        return {
            "reading_seconds": round(self.reading_seconds, 3),
            "chart_seconds": round(self.chart_seconds, 3),
            "document_seconds": round(self.document_seconds, 3),
            "template_seconds": round(self.template_seconds, 3),
            "files_seconds": round(self.files_seconds, 3),
            "pdf_seconds": round(self.pdf_seconds, 3),
            "total_seconds": round(self.total_seconds, 3),
            "wall_seconds": round(self.wall_seconds, 3),
        }
