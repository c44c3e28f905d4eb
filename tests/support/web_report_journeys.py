"""Helpers for the report-journey tests: answer question pages with the Django test client."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
from django.utils import timezone

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)
LAST_WEEK = timezone.localdate() - datetime.timedelta(days=7)


def date_answer(group: str, value: datetime.date) -> dict[str, str]:
    """The three boxes of a date input."""
    return {
        f"{group}_day": str(value.day),
        f"{group}_month": str(value.month),
        f"{group}_year": str(value.year),
    }


def answer(client: Client, prefix: str, slug: str, data: dict[str, Any]) -> Any:
    """POST one question page; return the response (a redirect when the answer was taken)."""
    return client.post(f"{prefix}{slug}/", data)


def answer_all(client: Client, prefix: str, answers: list[tuple[str, dict[str, Any]]]) -> str:
    """Answer pages in order, each must be taken; return where the last answer led."""
    location = ""
    for slug, data in answers:
        response = answer(client, prefix, slug, data)
        assert response.status_code == 302, (
            f"{slug}: {response.status_code} {response.content.decode()[:3000]}"
        )
        location = response["Location"]
    return location


PUBLIC_HATE_ANSWERS: list[tuple[str, dict[str, Any]]] = [
    ("kind", {"kind": "hate"}),
    ("strands", {"strands": ["race", "religion"]}),
    ("category", {"category": "verbal_abuse"}),
    ("when", {"when": "day", **date_answer("on", YESTERDAY)}),
    ("where", {"where": "place", "place": "Eastbank", "latitude": "", "longitude": ""}),
    ("place", {"place": "E05900002"}),
    ("description", {"description": "Shouted at outside the corner shop on the high street"}),
    ("targeted", {"targeted": "Me and my brother"}),
    (
        "contact",
        {
            "contact": "yes",
            "name": "Sam Example",
            "email": "sam@example.org",
            "phone": "",
            "consent": "on",
        },
    ),
    ("photos", {}),
]
