"""Importing the reference strategy: complete, idempotent, atomic; bodies matched to partners."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.urls import reverse
from web_strategy import COUNCIL, POLICE, SOUTHAMPTON_STRATEGY

from safecity_web.accounts.models import AuditAction, AuditEvent, Organisation
from safecity_web.strategy import importing
from safecity_web.strategy.bodies import unmatched_bodies
from safecity_web.strategy.models import (
    Action,
    ActionResponsibility,
    FocusArea,
    Outcome,
    Priority,
    Strategy,
)

pytestmark = pytest.mark.django_db


def test_reference_strategy_imports_completely(
    southampton_strategy_path: Path, imported_strategy: Strategy
) -> None:
    # The YAML is read here independently of the importer's parser.
    document = yaml.safe_load(southampton_strategy_path.read_text(encoding="utf-8"))
    expected_priorities = [(p["id"], p["title"]) for p in document["priorities"]]
    expected_areas = [
        (area["id"], area["title"], area.get("responsible", []))
        for p in document["priorities"]
        for area in p["focus_areas"]
    ]
    expected_outcomes = [
        (outcome["id"], outcome.get("number"), outcome["text"])
        for p in document["priorities"]
        for area in p["focus_areas"]
        for outcome in area["outcomes"]
    ]
    expected_actions = [
        (action["id"], action["text"], area.get("responsible", []))
        for p in document["priorities"]
        for area in p["focus_areas"]
        for action in area["actions"]
    ]
    # The file's counts block says 3, 18, 101 and 150.
    assert (len(expected_priorities), len(expected_areas)) == (3, 18)
    assert (len(expected_outcomes), len(expected_actions)) == (101, 150)

    priorities = Priority.objects.filter(strategy=imported_strategy).order_by("position")
    assert [(p.code, p.title) for p in priorities] == expected_priorities
    areas = FocusArea.objects.filter(priority__strategy=imported_strategy).order_by(
        "priority__position", "position"
    )
    assert [(a.code, a.title, a.responsible_names) for a in areas] == expected_areas
    outcomes = Outcome.objects.filter(focus_area__priority__strategy=imported_strategy).order_by(
        "focus_area__priority__position", "focus_area__position", "position"
    )
    assert [(o.code, o.number, o.text) for o in outcomes] == expected_outcomes
    actions = Action.objects.filter(focus_area__priority__strategy=imported_strategy).order_by(
        "focus_area__priority__position", "focus_area__position", "position"
    )
    assert [
        (a.code, a.text, [link.body_name for link in a.responsibilities.order_by("position")])
        for a in actions
    ] == expected_actions
    assert imported_strategy.name == document["document"]["title"]
    assert imported_strategy.partnership == "Safe City Partnership"
    assert (imported_strategy.period_start_year, imported_strategy.period_end_year) == (2022, 2027)
    assert imported_strategy.source_file_name == SOUTHAMPTON_STRATEGY


def test_bodies_matched_by_name_and_unmatched_kept_as_written(
    imported_strategy: Strategy, organisations: dict[str, Any]
) -> None:
    police_actions = set(organisations["police"].strategy_actions.values_list("code", flat=True))
    # P1.F3 (Safe City Partnership, Hampshire and Isle of Wight Constabulary, GO! Southampton)
    # has two actions; P1.F1 names only two boards.
    assert {"P1.F3.A1", "P1.F3.A2"} <= police_actions
    assert "P1.F1.A1" not in police_actions
    link = ActionResponsibility.objects.get(action__code="P1.F1.A1", position=0)
    assert (link.body_name, link.organisation) == ("Better Care Southampton Board", None)
    unmatched = {body.name: body.action_count for body in unmatched_bodies()}
    assert POLICE not in unmatched
    assert COUNCIL not in unmatched
    # Domestic Abuse Strategic Partnership Board is responsible for P1.F1 (11 actions),
    # P1.F2 (13) and P1.F4 (7) and more, as printed in the strategy.
    assert unmatched["Domestic Abuse Strategic Partnership Board"] >= 31
    assert unmatched["Better Care Southampton Board"] == 11


def test_reimporting_the_same_file_changes_nothing(
    southampton_strategy_path: Path, imported_strategy: Strategy
) -> None:
    counts_before = (Strategy.objects.count(), Action.objects.count(), Outcome.objects.count())
    events_before = AuditEvent.objects.count()
    result = importing.import_strategy(
        content=southampton_strategy_path.read_bytes(), source_name="renamed-copy.yaml"
    )
    assert result.created is False
    assert result.strategy.pk == imported_strategy.pk
    assert (Strategy.objects.count(), Action.objects.count(), Outcome.objects.count()) == (
        counts_before
    )
    assert counts_before == (1, 150, 101)
    assert AuditEvent.objects.count() == events_before


def test_import_is_atomic(southampton_strategy_path: Path, monkeypatch: Any) -> None:
    def failing_audit(**kwargs: Any) -> None:
        raise RuntimeError("audit log unavailable")

    # The audit entry is written last, inside the import's transaction.
    monkeypatch.setattr(importing, "record_event", failing_audit)
    with pytest.raises(RuntimeError, match="audit log unavailable"):
        importing.import_strategy(
            content=southampton_strategy_path.read_bytes(), source_name=SOUTHAMPTON_STRATEGY
        )
    assert (Strategy.objects.count(), Priority.objects.count(), Action.objects.count()) == (0, 0, 0)


def test_import_is_audit_logged(imported_strategy: Strategy) -> None:
    event = AuditEvent.objects.get(action=AuditAction.CREATED, object_id=str(imported_strategy.pk))
    assert event.object_type == "strategy.Strategy"
    assert "150 actions" in event.detail
    assert imported_strategy.source_sha256 in event.detail


def test_import_command_reports_and_is_idempotent(southampton_strategy_path: Path) -> None:
    output = io.StringIO()
    call_command("import_strategy", str(southampton_strategy_path), stdout=output)
    assert f"Imported Safe City Strategy 2022-2027 (2022-2027) from {SOUTHAMPTON_STRATEGY}" in (
        output.getvalue()
    )
    assert "Hampshire and Isle of Wight Constabulary (" in output.getvalue()  # unmatched here
    again = io.StringIO()
    call_command("import_strategy", str(southampton_strategy_path), stdout=again)
    assert "Already imported" in again.getvalue()
    assert Strategy.objects.count() == 1


def test_import_command_names_the_yaml_path(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "document: {title: T}\npartnership: {name: P}\nperiod: {start_year: 2022, end_year: 2023}\n"
        "priorities:\n  - id: P1\n    title: One\n    focus_areas:\n      - id: F1\n"
        "        title: Area\n        outcomes: not a list\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as raised:
        call_command("import_strategy", str(broken))
    assert str(raised.value) == (
        f"{broken}: priorities[0].focus_areas[0].outcomes: expected a list, found text"
    )
    assert Strategy.objects.count() == 0


def upload(client: Any, path: Path | None = None, *, content: bytes = b"", name: str = "") -> Any:
    data = content if path is None else path.read_bytes()
    file = io.BytesIO(data)
    file.name = name or (path.name if path else "strategy.yaml")
    return client.post(reverse("strategy:import"), {"strategy_file": file})


def test_analyst_uploads_the_strategy(
    client: Any, users: dict[str, Any], southampton_strategy_path: Path
) -> None:
    client.force_login(users["analyst"])
    response = upload(client, southampton_strategy_path)
    assert response.status_code == 302
    assert response["Location"] == reverse("strategy:overview")
    strategy = Strategy.objects.get()
    assert strategy.imported_by == users["analyst"]
    assert Action.objects.count() == 150
    event = AuditEvent.objects.get(action=AuditAction.CREATED, object_type="strategy.Strategy")
    assert event.user == users["analyst"]
    overview = client.get(reverse("strategy:overview"))
    assert "Keeping people safe from harm" in overview.content.decode()


def test_upload_of_a_malformed_file_shows_the_path(client: Any, users: dict[str, Any]) -> None:
    client.force_login(users["administrator"])
    response = upload(
        client,
        content=b"document: {title: T}\npartnership: {name: P}\n"
        b"period: {start_year: 2022, end_year: 2027}\npriorities: {}\n",
        name="bad.yaml",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "priorities: expected a list, found a mapping" in page
    assert Strategy.objects.count() == 0


@pytest.mark.parametrize("role", ["board_member", "police_officer"])
def test_upload_needs_analyst_or_administrator(
    client: Any, users: dict[str, Any], role: str
) -> None:
    client.force_login(users[role])
    response = upload(client, content=b"x: 1", name="x.yaml")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 1


def test_upload_anonymous_is_sent_to_sign_in(client: Any) -> None:
    response = client.get(reverse("strategy:import"))
    assert response.status_code == 302
    assert "next=/partners/strategy/import/" in response["Location"]


def test_administrator_links_an_unmatched_body(
    client: Any, users: dict[str, Any], imported_strategy: Strategy
) -> None:
    council = Organisation.objects.get(name=COUNCIL)
    client.force_login(users["administrator"])
    page = client.get(reverse("strategy:bodies")).content.decode()
    assert "Better Care Southampton Board" in page
    response = client.post(
        reverse("strategy:body-link"),
        {"body_name": "Better Care Southampton Board", "organisation": council.pk},
    )
    assert response.status_code == 302
    linked = ActionResponsibility.objects.filter(body_name="Better Care Southampton Board")
    assert linked.count() == 11
    assert set(linked.values_list("organisation", flat=True)) == {council.pk}
    assert "Better Care Southampton Board" not in {body.name for body in unmatched_bodies()}
    event = AuditEvent.objects.filter(action=AuditAction.EDITED).get()
    assert "linked responsible body 'Better Care Southampton Board'" in event.detail


def test_administrator_creates_an_organisation_for_a_body(
    client: Any, users: dict[str, Any], imported_strategy: Strategy, southampton_strategy_path: Path
) -> None:
    client.force_login(users["administrator"])
    response = client.post(
        reverse("strategy:body-create-organisation"),
        {
            "body_name": "GO! Southampton",
            "name": "GO! Southampton",
            "kind": "business_improvement_district",
        },
    )
    assert response.status_code == 302
    bid = Organisation.objects.get(name="GO! Southampton")
    assert set(bid.strategy_actions.values_list("focus_area__code", flat=True)) == {
        "P1.F3",
        "P3.F8",
    }
    assert AuditEvent.objects.filter(action=AuditAction.CREATED, object_id=str(bid.pk)).exists()


def test_alias_is_reused_by_a_later_import(
    client: Any, users: dict[str, Any], imported_strategy: Strategy, southampton_strategy_path: Path
) -> None:
    council = Organisation.objects.get(name=COUNCIL)
    client.force_login(users["administrator"])
    client.post(
        reverse("strategy:body-link"),
        {"body_name": "Domestic Partnership Abuse Board", "organisation": council.pk},
    )
    revised = southampton_strategy_path.read_bytes() + b"\n# revised copy\n"
    result = importing.import_strategy(content=revised, source_name="revised.yaml")
    assert result.created is True
    link = ActionResponsibility.objects.get(
        action__focus_area__priority__strategy=result.strategy,
        action__code="P2.F1.A1",
        body_name="Domestic Partnership Abuse Board",
    )
    assert link.organisation == council


@pytest.mark.parametrize("role", ["analyst", "board_member", "police_officer"])
def test_only_administrators_manage_bodies(
    client: Any, users: dict[str, Any], imported_strategy: Strategy, role: str
) -> None:
    client.force_login(users[role])
    assert client.get(reverse("strategy:bodies")).status_code == 403
    response = client.post(
        reverse("strategy:body-link"),
        {
            "body_name": "Better Care Southampton Board",
            "organisation": Organisation.objects.get(name=COUNCIL).pk,
        },
    )
    assert response.status_code == 403
    assert not ActionResponsibility.objects.filter(
        body_name="Better Care Southampton Board", organisation__isnull=False
    ).exists()


def test_body_forms_show_errors_inline(
    client: Any, users: dict[str, Any], imported_strategy: Strategy
) -> None:
    client.force_login(users["administrator"])
    response = client.post(
        reverse("strategy:body-link"), {"body_name": "Hate Crime Network", "organisation": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert '<a href="#id_organisation">Choose the organisation this body belongs to</a>' in page
    assert 'id="id_organisation-error"' in page
    response = client.post(
        reverse("strategy:body-create-organisation"),
        {"body_name": "Hate Crime Network", "name": COUNCIL.upper(), "kind": "council"},
    )
    assert response.status_code == 400
    assert "An organisation with this name exists: link the body to it instead" in (
        response.content.decode()
    )
    assert Organisation.objects.count() == 3


def test_indicators_due_dates_and_action_bodies_from_the_file(
    organisations: dict[str, Any],
) -> None:
    content = f"""
document: {{title: Small strategy}}
partnership: {{name: Small partnership}}
period: {{start_year: 2024, end_year: 2026}}
priorities:
  - id: P1
    title: Safer streets
    focus_areas:
      - id: P1.F1
        title: Reduce burglary
        responsible: [{POLICE}, Neighbourhood Watch]
        outcomes:
          - {{id: P1.F1.O1, number: 1, text: Fewer burglaries., indicators: [residential_burglary]}}
        actions:
          - {{id: P1.F1.A1, text: Target hardening., due_date: 2025-03-31, timescale: Year 1}}
          - {{id: P1.F1.A2, text: Street lighting review., responsible: [{COUNCIL}]}}
""".encode()
    result = importing.import_strategy(content=content, source_name="small.yaml")
    outcome = Outcome.objects.get(code="P1.F1.O1")
    assert list(outcome.indicator_links.values_list("indicator_id", flat=True)) == [
        "residential_burglary"
    ]
    first, second = Action.objects.order_by("position")
    assert (first.due_date.isoformat(), first.timescale) == ("2025-03-31", "Year 1")
    assert [
        (link.body_name, link.organisation) for link in first.responsibilities.order_by("position")
    ] == [(POLICE, organisations["police"]), ("Neighbourhood Watch", None)]
    assert [(link.body_name, link.organisation) for link in second.responsibilities.all()] == [
        (COUNCIL, organisations["council"])
    ]
    assert [body.name for body in result.unmatched_bodies] == ["Neighbourhood Watch"]
    event = AuditEvent.objects.get(object_type="strategy.Strategy")
    assert (event.user, event.username) == (None, "command line")


@pytest.mark.django_db(transaction=True)
def test_the_same_file_imported_twice_at_once_gives_one_strategy(
    southampton_strategy_path: Path,
) -> None:
    import threading

    from django.db import connection

    content = southampton_strategy_path.read_bytes()
    start = threading.Barrier(2)
    results: list[Any] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            results.append(importing.import_strategy(content=content, source_name="same.yaml"))
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(result.created for result in results) == [False, True]
    assert {result.strategy.pk for result in results} == {Strategy.objects.get().pk}
    assert Action.objects.count() == 150
