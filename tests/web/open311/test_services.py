"""GET services and service definitions (issue 13): the configured services, in JSON and XML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from web_open311 import error_of, json_body, xml_root

from safecity_web import core_gateway

pytestmark = pytest.mark.django_db


def test_the_service_list_is_the_configured_services_and_validates(
    client: Client, specification: Any
) -> None:
    response = client.get("/open311/v2/services.json")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    body = json_body(response)
    assert list(specification.validator("services.json").iter_errors(body)) == []
    config = core_gateway.community_reports_config()
    assert [entry["service_code"] for entry in body] == [s.service_code for s in config.services]
    hate = body[0]
    assert hate == {
        "service_code": "hate-incident",
        "service_name": "Hate incident or hate crime",
        "description": "Report a hate incident or hate crime. The description is never made "
        "public.",
        "metadata": True,
        "type": "realtime",
        "keywords": "A hate incident or hate crime, Verbal abuse, threats or insults, Physical "
        "attack, Damage to property or graffiti, Online abuse, Harassment or being followed, "
        "Something else",
        "group": "Hate",
    }
    assert body[1]["keywords"] == "A community safety concern, Anti-social behaviour"


def test_the_service_list_in_xml_has_the_specifications_elements(client: Client) -> None:
    root = xml_root(client.get("/open311/v2/services.xml"))
    assert root.tag == "services"
    services = root.findall("service")
    assert len(services) == len(core_gateway.community_reports_config().services)
    first = services[0]
    assert [child.tag for child in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert first.findtext("service_code") == "hate-incident"
    assert first.findtext("metadata") == "true"


def test_the_hate_service_asks_for_strands_and_what_happened(
    client: Client, specification: Any
) -> None:
    body = json_body(client.get("/open311/v2/services/hate-incident.json"))
    assert list(specification.validator("service-definition.json").iter_errors(body)) == []
    config = core_gateway.community_reports_config()
    by_code = {attribute["code"]: attribute for attribute in body["attributes"]}
    assert list(by_code) == ["strands", "category", "when", "contact_consent"]
    assert [attribute["order"] for attribute in body["attributes"]] == [1, 2, 3, 4]
    strands = by_code["strands"]
    assert (strands["datatype"], strands["required"], strands["variable"]) == (
        "multivaluelist",
        True,
        True,
    )
    assert strands["values"] == [{"key": s.id, "name": s.label} for s in config.strands]
    category = by_code["category"]
    assert category["datatype"] == "singlevaluelist"
    assert category["required"] is True
    assert [value["key"] for value in category["values"]] == [
        choice.id for choice in config.kind("hate").categories
    ]
    assert by_code["when"]["datatype"] == "datetime"
    assert by_code["when"]["required"] is False
    assert by_code["contact_consent"]["values"] == [
        {"key": "true", "name": "Yes"},
        {"key": "false", "name": "No"},
    ]


def test_a_concern_service_asks_only_when_and_consent(client: Client, specification: Any) -> None:
    body = json_body(client.get("/open311/v2/services/asb.json"))
    assert list(specification.validator("service-definition.json").iter_errors(body)) == []
    assert [attribute["code"] for attribute in body["attributes"]] == ["when", "contact_consent"]


def test_a_service_definition_in_xml(client: Client) -> None:
    root = xml_root(client.get("/open311/v2/services/hate-incident.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "hate-incident"
    attributes = root.find("attributes")
    assert attributes is not None
    first = attributes.findall("attribute")[0]
    assert first.findtext("code") == "strands"
    assert first.findtext("variable") == "true"
    values = first.find("values")
    assert values is not None
    assert [value.findtext("key") for value in values.findall("value")][:2] == ["race", "religion"]
    when = attributes.findall("attribute")[2]
    assert when.find("values") is None


def test_unknown_service_format_and_method_answer_the_errors_list(client: Client) -> None:
    description = error_of(client.get("/open311/v2/services/potholes.json"), status=404)
    assert description.startswith("service_code: there is no service 'potholes' (services: ")
    description = error_of(client.get("/open311/v2/services.csv"), status=404)
    assert description == "format: no format 'csv': ask for .json or .xml"
    refused = client.post("/open311/v2/services.json")
    assert error_of(refused, status=405) == "method: POST is not allowed here; use GET or HEAD"
    assert refused["Allow"] == "GET, HEAD"
    description = error_of(client.get("/open311/v2/service.json"), status=404)
    assert description.startswith("resource: there is no resource 'service.json': the resources")
    description = error_of(client.get("/open311/v2/requests.null,null"), status=404)
    assert description == "format: no format 'null,null': ask for .json or .xml"
    assert xml_root(client.get("/open311/v2/nothing.xml")).findtext("error/code") == "404"
    assert error_of(client.get("/open311/v2/services.json?x=a\x00b"), status=400) == (
        "x: the request contains a NUL character, which no field may hold"
    )
    root = xml_root(client.get("/open311/v2/services/potholes.xml"))
    assert root.tag == "errors"
    assert root.findtext("error/code") == "404"


@pytest.fixture
def with_jurisdiction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A partnership's configuration naming its jurisdiction."""
    from safecity.config.community_reports import CONFIG_ENVIRONMENT_VARIABLE
    from safecity.config.packaged_yaml import read_packaged_yaml

    document = read_packaged_yaml("community_reports.yaml")
    document["open311"]["jurisdiction_id"] = "smallton.gov.uk"
    path = tmp_path / "community_reports.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENVIRONMENT_VARIABLE, str(path))
    return "smallton.gov.uk"


def test_a_configured_jurisdiction_refuses_any_other(
    client: Client, with_jurisdiction: str
) -> None:
    assert (
        client.get(f"/open311/v2/services.json?jurisdiction_id={with_jurisdiction}").status_code
        == 200
    )
    assert client.get("/open311/v2/services.json").status_code == 200
    description = error_of(
        client.get("/open311/v2/services.json?jurisdiction_id=city.gov"), status=404
    )
    assert (
        description == "jurisdiction_id: this site serves only the jurisdiction 'smallton.gov.uk'"
    )
    refused = client.post("/open311/v2/requests.json", {"jurisdiction_id": "city.gov"})
    assert error_of(refused, status=404).startswith("jurisdiction_id: ")


def test_without_a_configured_jurisdiction_any_is_accepted(client: Client) -> None:
    assert core_gateway.community_reports_config().jurisdiction_id is None
    assert client.get("/open311/v2/services.xml?jurisdiction_id=city.gov").status_code == 200
