"""Odd input to the site is a validation error (400, 404 or a form error), never HTTP 500.

Issue 15 found ``GET /areas/%00/`` (PostgreSQL cannot hold NUL) and a strategy title over 300
characters answering 500; the NUL middleware and the strategy file's length checks fix them.
"""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from web_accounts import create_portal_people
from web_observatory import demo_artefact, published_demo, published_demo_id  # noqa: F401

from safecity_web.accounts.models import Role
from safecity_web.strategy.models import Strategy

pytestmark = pytest.mark.django_db
PROBLEM = "Sorry, there is a problem with the request"
STRATEGY = """document: {{title: {title}}}
partnership: {{name: {partnership}}}
period: {{start_year: 2022, end_year: 2027}}
priorities:
  - id: P1
    title: Keeping people safe
    focus_areas:
      - id: P1.F1
        title: Violence
        responsible: [{body}]
        outcomes: [{{id: P1.F1.O1, text: Less violence}}]
        actions: [{{id: P1.F1.A1, text: Patrol hotspots}}]
"""


@pytest.mark.parametrize(
    "url",
    [
        "/areas/%00/",
        "/areas/E05%0000001/",
        "/indicators/?x=%00",
        "/assessments/1/areas/%00/",
        "/hotspots/?page=%00",
        "/accounts/sign-in/?next=%00",
        "/statement/?%00=1",
    ],
)
@pytest.mark.usefixtures("published_demo")
def test_nul_in_the_path_or_query_is_a_400_page(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert PROBLEM in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/api/v1/areas/%00", "/api/v1/values?indicator=%00", "/api/v1/areas?%00=x"]
)
@pytest.mark.usefixtures("published_demo")
def test_nul_in_an_api_request_is_the_api_error_envelope(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    error = json.loads(response.content)["error"]
    assert error["code"] == "invalid_parameter"
    assert "NUL character" in error["message"]


def test_nul_in_a_form_field_is_a_400_page(client: Client) -> None:
    response = client.post(reverse("accounts:password-reset"), {"email": "a\x00@example.org"})
    assert response.status_code == 400
    assert PROBLEM in response.content.decode()


@pytest.mark.parametrize(
    "code", ["E0500000", "e05000001", "E05000001x", "ＥＯ５０００００１", "x" * 5000]
)
@pytest.mark.usefixtures("published_demo")
def test_an_area_code_without_the_gss_form_is_404(client: Client, code: str) -> None:
    assert client.get(f"/areas/{code}/").status_code == 404


@pytest.mark.parametrize(
    ("field", "length", "problem"),
    [
        ("title", 301, "document.title: is 301 characters long; at most 300 are allowed"),
        ("partnership", 5000, "partnership.name: is 5000 characters long; at most 300"),
        ("body", 301, "priorities[0].focus_areas[0].responsible[0]: is 301 characters long"),
    ],
)
def test_an_over_long_strategy_name_is_a_form_error(
    client: Client, field: str, length: int, problem: str
) -> None:
    people = create_portal_people()
    client.force_login(people.user(Role.ANALYST))
    values = {"title": "Safe City Strategy", "partnership": "Safe City", "body": "Council"}
    values[field] = "T" * length
    upload = io.BytesIO(STRATEGY.format(**values).encode())
    upload.name = "long.yaml"
    response = client.post(reverse("strategy:import"), {"strategy_file": upload})
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert not Strategy.objects.exists()
    # Exactly 300 characters is accepted.
    values[field] = "T" * 300
    upload = io.BytesIO(STRATEGY.format(**values).encode())
    upload.name = "long.yaml"
    assert client.post(reverse("strategy:import"), {"strategy_file": upload}).status_code == 302
    assert Strategy.objects.count() == 1


def test_a_nul_in_a_strategy_file_is_a_form_error(client: Client) -> None:
    client.force_login(create_portal_people().user(Role.ADMINISTRATOR))
    values = {"title": '"Safe\\0City"', "partnership": "P", "body": "Council"}
    upload = io.BytesIO(STRATEGY.format(**values).encode())
    upload.name = "nul.yaml"
    response = client.post(reverse("strategy:import"), {"strategy_file": upload})
    assert response.status_code == 400
    assert "document.title: contains a NUL character" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        # Found by the form fuzzing under stress: YAML reads these as dates Python cannot hold.
        (b"0000-00-00", "not valid YAML: a value cannot be read (year 0 is out of range)"),
        (b"document: {title: 2024-02-30}", "a value cannot be read (day is out of range"),
        (b"[" * 100_000, "not valid YAML"),
        (b"a: " + b"[" * 5_000 + b"]" * 5_000, "not valid YAML: nested too deeply"),
    ],
)
def test_a_strategy_file_yaml_cannot_read_is_a_form_error(
    client: Client, content: bytes, problem: str
) -> None:
    client.force_login(create_portal_people().user(Role.ANALYST))
    upload = io.BytesIO(content)
    upload.name = "odd.yaml"
    response = client.post(reverse("strategy:import"), {"strategy_file": upload})
    assert response.status_code == 400
    assert problem in response.content.decode()
