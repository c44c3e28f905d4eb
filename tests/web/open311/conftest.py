"""Open311 tests: the small published area, a registered app's key, the specification's files.

The specification, its JSON schemas and its examples are the shared public copies in
``../shared/data/api-samples/open311/`` (``SOURCES.md``); the schemas are validated with
``jsonschema`` (draft 7, the schemas' own ``$ref`` between files resolved locally).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMA_BASE = "https://open311.invalid/schema/georeport-v2/"
"""A base URI under which the schema files refer to each other (``requests.json`` refers to
``request.json``)."""


@dataclass(frozen=True)
class Specification:
    """The GeoReport v2 specification's files."""

    folder: Path

    @property
    def examples(self) -> Path:
        return self.folder / "examples"

    def validator(self, schema_file: str) -> Draft7Validator:
        """A validator of ``schema/<schema_file>`` with its references resolved."""
        registry: Registry[Any] = Registry()
        for path in sorted((self.folder / "schema").glob("*.json")):
            if path.name == "swagger.json":
                continue
            contents = json.loads(path.read_text(encoding="utf-8"))
            registry = registry.with_resource(
                SCHEMA_BASE + path.name,
                Resource.from_contents(contents, default_specification=DRAFT7),
            )
        schema = json.loads((self.folder / "schema" / schema_file).read_text(encoding="utf-8"))
        return Draft7Validator(
            {"$id": SCHEMA_BASE + schema_file, **schema},
            registry=registry,
            format_checker=Draft7Validator.FORMAT_CHECKER,
        )


@pytest.fixture(scope="session")
def specification(shared_data: Path) -> Specification:
    """The Open311 GeoReport v2 files in the shared public data."""
    return Specification(shared_data / "api-samples" / "open311")


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    """Each test starts with no request counted (the test client is one address)."""
    caches["rate-limits"].clear()
    yield
    caches["rate-limits"].clear()


@pytest.fixture
def small_area(db: None) -> Any:
    """The small published area (two wards, four LSOAs) of ``web_reporting``."""
    from web_reporting import publish_small_area

    return publish_small_area()


@pytest.fixture
def api_key(db: None) -> str:
    """The key of a registered app."""
    from safecity_web.open311.keys import register_application

    return register_application(name="Test reporting app").api_key
