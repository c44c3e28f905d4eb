"""The survey codebook: which columns of a survey file are measures, characteristics, weights.

A codebook is a YAML file (``docs/survey.md``, section "Codebook"; the worked example is
``examples/survey/csew-2013-14-teaching.yaml``). :func:`load_codebook` reads and checks it,
and returns a :class:`Codebook` of frozen dataclasses; anything wrong raises
:class:`CodebookError` naming the key path (e.g. ``measures.feels_safe_after_dark.categories``)
and what is wrong with it. A key the format does not know is an error too: a misspelt key would
otherwise be ignored without a word.

Codes in ``categories`` may be numbers (the file's codes) or text (the file's values, or an SPSS
file's value labels); text is compared without regard to case or repeated spaces.

YAML note: the file is read with YAML 1.2 booleans (only ``true``/``false``), so that a category
called ``Yes`` or ``No`` stays text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

SURVEY_NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
IDENTIFIER_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
GSS_CODE_PATTERN = re.compile(r"[EWSNK][0-9]{8}")
FROM_DATA = "from_data"
"""``categories: from_data``: the file's values are the categories (e.g. ward GSS codes)."""

Code = float | str
"""A code as written in the codebook: a number (the file's code) or text (a value or label)."""


class CodebookError(ValueError):
    """A codebook that is not valid; the message names the key path and what is wrong.

    Attributes
    ----------
    key_path
        Where the problem is, e.g. ``measures.feels_safe_after_dark.categories``.
    """

    def __init__(self, key_path: str, problem: str, *, source: str | None = None) -> None:
        self.key_path = key_path
        self.problem = problem
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{key_path or 'the codebook'}: {problem}")


class MeasureKind(StrEnum):
    """How a question is answered."""

    SINGLE = "single"
    """One answer, collapsed to one of the measure's categories."""
    MULTIPLE = "multiple"
    """Several options, each chosen or not (one column per option)."""


class Polarity(StrEnum):
    """Which direction of the headline share is better for residents."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    NO_JUDGEMENT = "no_judgement"


class WeightingMethod(StrEnum):
    """The codebook's ``weighting.method``."""

    RAKE = "rake"
    UNWEIGHTED = "unweighted"


class LocationSource(StrEnum):
    """Where a characteristic ``from_location`` takes its categories."""

    LSOA = "lsoa"
    WARD = "ward"
    DEPRIVATION_QUINTILE = "deprivation_quintile"
    """The national Index of Multiple Deprivation quintile of the respondent's LSOA (from the
    loaded deprivation deciles): ``1 (most deprived)`` to ``5 (least deprived)``."""


class PopulationSex(StrEnum):
    """The population table's sexes a category stands for (``population_sex``)."""

    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True, slots=True)
class Fieldwork:
    """When the survey was in the field (either end may be unknown)."""

    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True, slots=True)
class SurveyArea:
    """The surveyed area: a CSP or local authority GSS code and its boundary vintage."""

    code: str
    vintage: int | None = None


@dataclass(frozen=True, slots=True)
class Design:
    """Design columns (stratum, primary sampling unit) for Taylor linearisation."""

    strata: str | None = None
    cluster: str | None = None


@dataclass(frozen=True, slots=True)
class Trim:
    """Weight trimming bounds relative to the mean weight."""

    lower: float
    upper: float


@dataclass(frozen=True, slots=True)
class WeightingSpecification:
    """The codebook's ``weighting`` block, passed on to :func:`~.weighting.weight_wave`."""

    method: WeightingMethod
    margins: tuple[str, ...] = ()
    population_year: int | None = None
    trim: Trim | None = None
    tolerance: float = 1.0e-6
    max_iterations: int = 100

    def as_mapping(self) -> dict[str, Any]:
        """The block as in the YAML (what ``weight_wave`` receives)."""
        data: dict[str, Any] = {
            "method": self.method.value,
            "margins": list(self.margins),
            "population_year": self.population_year,
            "trim": None
            if self.trim is None
            else {"lower": self.trim.lower, "upper": self.trim.upper},
            "tolerance": self.tolerance,
            "max_iterations": self.max_iterations,
        }
        return data


@dataclass(frozen=True, slots=True)
class Location:
    """Columns giving where a respondent lives: a postcode, or an LSOA code; and a ward code."""

    postcode: str | None = None
    lsoa: str | None = None
    ward: str | None = None


@dataclass(frozen=True, slots=True)
class Characteristic:
    """A respondent characteristic (subgroup, raking variable).

    ``categories`` maps each category label to its codes; empty with ``from_data`` (the file's
    values are the categories) or ``from_location`` (the respondent's LSOA or ward code).
    """

    name: str
    column: str | None
    categories: Mapping[str, tuple[Code, ...]]
    from_data: bool = False
    from_location: LocationSource | None = None
    label: str | None = None
    population_ages: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    population_sex: Mapping[str, PopulationSex] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Among:
    """The base of a measure: respondents who gave ``category`` to ``measure``."""

    measure: str
    category: str


@dataclass(frozen=True, slots=True)
class MeasureOption:
    """One option of a multiple-choice measure: its column and the crime groups it concerns."""

    label: str
    column: str
    crime_groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Measure:
    """A question collapsed to published categories (single) or a set of options (multiple)."""

    name: str
    label: str
    kind: MeasureKind
    question: str | None = None
    categories: Mapping[str, tuple[Code, ...]] = field(default_factory=dict)
    missing: Mapping[str, tuple[Code, ...]] = field(default_factory=dict)
    headline: str | None = None
    polarity: Polarity = Polarity.NO_JUDGEMENT
    theme: str | None = None
    crime_groups: tuple[str, ...] = ()
    among: Among | None = None
    options: tuple[MeasureOption, ...] = ()
    chosen: tuple[Code, ...] = ()
    not_chosen: tuple[Code, ...] = ()
    public_concern: bool = False

    @property
    def answer_categories(self) -> tuple[str, ...]:
        """The categories of a single-choice measure, or the options of a multiple one."""
        if self.kind is MeasureKind.MULTIPLE:
            return tuple(option.label for option in self.options)
        return tuple(self.categories)

    @property
    def columns(self) -> tuple[str, ...]:
        """The file columns this measure reads."""
        if self.kind is MeasureKind.MULTIPLE:
            return tuple(option.column for option in self.options)
        return (self.question,) if self.question is not None else ()


@dataclass(frozen=True, slots=True)
class Codebook:
    """A parsed, checked codebook (see the module's docstring)."""

    survey: str
    title: str | None
    source: str | None
    fieldwork: Fieldwork
    area: SurveyArea | None
    respondent_id: str | None
    weight: str | None
    design: Design
    weighting: WeightingSpecification | None
    missing_codes: tuple[Code, ...]
    location: Location | None
    keep_text: Mapping[str, str]
    characteristics: Mapping[str, Characteristic]
    measures: Mapping[str, Measure]
    sha256: str = ""
    """SHA-256 of the codebook file's bytes (empty when parsed from a mapping)."""

    def columns(self) -> tuple[str, ...]:
        """Every file column the codebook names (each once, in codebook order)."""
        named: list[str | None] = [self.respondent_id, self.weight]
        named += [self.design.strata, self.design.cluster]
        if self.location is not None:
            named += [self.location.postcode, self.location.lsoa, self.location.ward]
        named += list(self.keep_text.values())
        named += [item.column for item in self.characteristics.values()]
        for measure in self.measures.values():
            named += list(measure.columns)
        return tuple(dict.fromkeys(name for name in named if name is not None))

    def as_mapping(self) -> dict[str, Any]:
        """The codebook as YAML-shaped plain data, defaults filled in (``survey_wave.codebook``).

        :func:`parse_codebook` of this mapping gives back an equal codebook (except ``sha256``).
        """
        return {
            "survey": self.survey,
            "title": self.title,
            "source": self.source,
            "fieldwork": {
                "start": _iso(self.fieldwork.start),
                "end": _iso(self.fieldwork.end),
            },
            "area": None
            if self.area is None
            else {"code": self.area.code, "vintage": self.area.vintage},
            "respondent_id": self.respondent_id,
            "weight": self.weight,
            "design": {"strata": self.design.strata, "cluster": self.design.cluster},
            "weighting": None if self.weighting is None else self.weighting.as_mapping(),
            "missing_codes": [_code_out(code) for code in self.missing_codes],
            "location": None
            if self.location is None
            else {
                "postcode": self.location.postcode,
                "lsoa": self.location.lsoa,
                "ward": self.location.ward,
            },
            "keep_text": dict(self.keep_text),
            "characteristics": {
                name: _characteristic_out(item) for name, item in self.characteristics.items()
            },
            "measures": {name: _measure_out(item) for name, item in self.measures.items()},
        }


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _code_out(code: Code) -> float | int | str:
    if isinstance(code, float) and code.is_integer():
        return int(code)
    return code


def _codes_out(categories: Mapping[str, tuple[Code, ...]]) -> dict[str, list[float | int | str]]:
    return {label: [_code_out(code) for code in codes] for label, codes in categories.items()}


def _characteristic_out(item: Characteristic) -> dict[str, Any]:
    data: dict[str, Any] = {"column": item.column}
    if item.from_location is not None:
        data = {"from_location": item.from_location.value}
    data["categories"] = FROM_DATA if item.from_data else _codes_out(item.categories)
    if item.from_location is not None:
        del data["categories"]
    if item.label is not None:
        data["label"] = item.label
    if item.population_ages:
        data["population_ages"] = {
            label: [low, high] for label, (low, high) in item.population_ages.items()
        }
    if item.population_sex:
        data["population_sex"] = {label: sex.value for label, sex in item.population_sex.items()}
    return data


def _measure_out(item: Measure) -> dict[str, Any]:
    data: dict[str, Any] = {"label": item.label, "kind": item.kind.value}
    if item.kind is MeasureKind.SINGLE:
        data["question"] = item.question
        data["categories"] = _codes_out(item.categories)
    else:
        data["options"] = {
            option.label: {"column": option.column, "crime_groups": list(option.crime_groups)}
            for option in item.options
        }
        data["chosen"] = [_code_out(code) for code in item.chosen]
        data["not_chosen"] = [_code_out(code) for code in item.not_chosen]
    data["missing"] = _codes_out(item.missing)
    data["headline"] = item.headline
    data["polarity"] = item.polarity.value
    data["theme"] = item.theme
    data["crime_groups"] = list(item.crime_groups)
    data["among"] = (
        None
        if item.among is None
        else {"measure": item.among.measure, "category": item.among.category}
    )
    data["public_concern"] = item.public_concern
    return data


class _CodebookLoader(yaml.SafeLoader):
    """A safe loader with YAML 1.2 booleans that refuses repeated keys."""


_CodebookLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CodebookLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} is given twice", key_node.start_mark
            )
        seen.add(key)
    return dict(loader.construct_mapping(node))


_CodebookLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_codebook(path: Path) -> Codebook:
    """Read and check the codebook YAML file at ``path``.

    Raises
    ------
    CodebookError
        If the file cannot be read, is not YAML, or any key is missing, unknown or wrong; the
        message names the key path.
    """
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as error:
        raise CodebookError(
            "", f"cannot be read ({error.strerror or error})", source=str(path)
        ) from error
    try:
        data = yaml.load(content.decode("utf-8-sig"), Loader=_CodebookLoader)
    except UnicodeDecodeError as error:
        raise CodebookError("", f"is not UTF-8 text ({error})", source=str(path)) from error
    except yaml.YAMLError as error:
        raise CodebookError("", f"is not valid YAML: {error}", source=str(path)) from error
    codebook = parse_codebook(data, source=str(path))
    return _with_sha256(codebook, hashlib.sha256(content).hexdigest())


def _with_sha256(codebook: Codebook, sha256: str) -> Codebook:
    return replace(codebook, sha256=sha256)


def parse_codebook(data: object, *, source: str | None = None) -> Codebook:
    """Check the YAML-shaped ``data`` (a parsed codebook file, or :meth:`Codebook.as_mapping`).

    Raises
    ------
    CodebookError
        Naming the key path and what is wrong.
    """
    return _Parser(source).codebook(data)


_TOP_KEYS = {
    "survey",
    "title",
    "source",
    "fieldwork",
    "area",
    "respondent_id",
    "weight",
    "design",
    "weighting",
    "missing_codes",
    "location",
    "keep_text",
    "characteristics",
    "measures",
}
_CHARACTERISTIC_KEYS = {
    "column",
    "categories",
    "from_location",
    "label",
    "population_ages",
    "population_sex",
}
_MEASURE_KEYS = {
    "label",
    "question",
    "kind",
    "categories",
    "missing",
    "headline",
    "polarity",
    "theme",
    "crime_groups",
    "among",
    "options",
    "chosen",
    "not_chosen",
    "public_concern",
}
_WEIGHTING_KEYS = {"method", "margins", "population_year", "trim", "tolerance", "max_iterations"}


class _Parser:
    def __init__(self, source: str | None) -> None:
        self.source = source

    def error(self, key_path: str, problem: str) -> CodebookError:
        return CodebookError(key_path, problem, source=self.source)

    # -- generic checks ---------------------------------------------------------------------

    def mapping(self, value: object, key_path: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(key_path, f"must be a mapping of keys to values, not {_kind(value)}")
        unknown = [str(key) for key in value if key not in allowed]
        if unknown:
            raise self.error(
                _join(key_path, unknown[0]),
                f"is not a codebook key here (known keys: {', '.join(sorted(allowed))})",
            )
        return value

    def text(self, value: object, key_path: str, *, required: bool = False) -> str | None:
        if value is None:
            if required:
                raise self.error(key_path, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.error(key_path, f"must be text, not {_kind(value)}")
        text = str(value).strip()
        if not text:
            if required:
                raise self.error(key_path, "is required (it is empty)")
            return None
        return text

    def required_text(self, value: object, key_path: str) -> str:
        text = self.text(value, key_path, required=True)
        assert text is not None
        return text

    def column(self, value: object, key_path: str, *, required: bool = False) -> str | None:
        if value is not None and not isinstance(value, str):
            raise self.error(key_path, f"must be a column name (text), not {_kind(value)}")
        return self.text(value, key_path, required=required)

    def identifier(self, value: object, key_path: str) -> str:
        if not isinstance(value, str) or not IDENTIFIER_PATTERN.fullmatch(value):
            raise self.error(
                key_path,
                f"{value!r} is not a valid name: use lower-case letters, digits and _ "
                "(starting with a letter)",
            )
        return value

    def integer(self, value: object, key_path: str, *, minimum: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key_path, f"must be a whole number, not {_kind(value)}")
        if minimum is not None and value < minimum:
            raise self.error(key_path, f"must be at least {minimum}, not {value}")
        return value

    def number(self, value: object, key_path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key_path, f"must be a number, not {_kind(value)}")
        if not math.isfinite(value):
            raise self.error(key_path, "must be a finite number")
        return float(value)

    def date(self, value: object, key_path: str) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.error(key_path, f"must be a date written YYYY-MM-DD, not {value!r}")

    def code(self, value: object, key_path: str) -> Code:
        if isinstance(value, bool) or value is None:
            raise self.error(key_path, f"must be a code (a number or text), not {_kind(value)}")
        if isinstance(value, int | float):
            if not math.isfinite(value):
                raise self.error(key_path, "must be a finite number")
            return float(value)
        if isinstance(value, str) and value.strip():
            return value.strip()
        raise self.error(key_path, f"must be a code (a number or text), not {_kind(value)}")

    def codes(self, value: object, key_path: str) -> tuple[Code, ...]:
        items = value if isinstance(value, list) else [value]
        if not items:
            raise self.error(key_path, "must list at least one code")
        codes = tuple(self.code(item, f"{key_path}[{index}]") for index, item in enumerate(items))
        repeated = [code for code in codes if codes.count(code) > 1]
        if repeated:
            raise self.error(key_path, f"lists the code {_shown(repeated[0])} twice")
        return codes

    def categories(self, value: object, key_path: str) -> dict[str, tuple[Code, ...]]:
        if not isinstance(value, dict) or not value:
            raise self.error(
                key_path,
                "must map each category label to its codes, e.g. {Very or fairly safe: [1, 2]}",
            )
        categories: dict[str, tuple[Code, ...]] = {}
        owner: dict[Code, str] = {}
        for raw_label, raw_codes in value.items():
            label = self.label(raw_label, key_path)
            codes = self.codes(raw_codes, _join(key_path, label))
            for code in codes:
                if code in owner:
                    raise self.error(
                        key_path,
                        f"the code {_shown(code)} is in two categories: {owner[code]!r} and "
                        f"{label!r}",
                    )
                owner[code] = label
            categories[label] = codes
        return categories

    def label(self, value: object, key_path: str) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.error(key_path, f"a category label must be text, not {_kind(value)}")
        label = _code_out(float(value)) if isinstance(value, float) else value
        text = str(label).strip()
        if not text:
            raise self.error(key_path, "a category label is empty")
        return text

    def names(self, value: object, key_path: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.error(key_path, f"must be a list, not {_kind(value)}")
        return tuple(
            self.identifier(item, f"{key_path}[{index}]") for index, item in enumerate(value)
        )

    def flag(self, value: object, key_path: str) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.error(key_path, f"must be true or false, not {value!r}")
        return value

    # -- sections ---------------------------------------------------------------------------

    def codebook(self, data: object) -> Codebook:
        top = self.mapping(data, "", _TOP_KEYS)
        survey = top.get("survey")
        if not isinstance(survey, str) or not SURVEY_NAME_PATTERN.fullmatch(survey):
            raise self.error(
                "survey",
                f"{survey!r} is not a survey name: use lower-case letters, digits and -"
                if survey is not None
                else "is required (a short name such as csew or city-residents)",
            )
        fieldwork = self.fieldwork(top.get("fieldwork"))
        area = self.area(top.get("area"))
        design_data = self.mapping(top.get("design") or {}, "design", {"strata", "cluster"})
        design = Design(
            strata=self.column(design_data.get("strata"), "design.strata"),
            cluster=self.column(design_data.get("cluster"), "design.cluster"),
        )
        missing_codes: tuple[Code, ...] = ()
        if top.get("missing_codes") not in (None, []):
            missing_codes = self.codes(top["missing_codes"], "missing_codes")
        location = self.location(top.get("location"))
        keep_text = self.keep_text(top.get("keep_text"))
        characteristics = self.characteristics(top.get("characteristics"), location)
        measures = self.measures(top.get("measures"))
        weight = self.column(top.get("weight"), "weight")
        weighting = self.weighting(top.get("weighting"), characteristics, weight=weight)
        return Codebook(
            survey=survey,
            title=self.text(top.get("title"), "title"),
            source=self.text(top.get("source"), "source"),
            fieldwork=fieldwork,
            area=area,
            respondent_id=self.column(top.get("respondent_id"), "respondent_id"),
            weight=weight,
            design=design,
            weighting=weighting,
            missing_codes=missing_codes,
            location=location,
            keep_text=keep_text,
            characteristics=characteristics,
            measures=measures,
        )

    def fieldwork(self, value: object) -> Fieldwork:
        if value is None:
            return Fieldwork()
        data = self.mapping(value, "fieldwork", {"start", "end"})
        start = self.date(data.get("start"), "fieldwork.start")
        end = self.date(data.get("end"), "fieldwork.end")
        if start is not None and end is not None and end < start:
            raise self.error("fieldwork.end", f"{end} is before the start {start}")
        return Fieldwork(start=start, end=end)

    def area(self, value: object) -> SurveyArea | None:
        if value is None:
            return None
        data = self.mapping(value, "area", {"code", "vintage"})
        code = self.required_text(data.get("code"), "area.code")
        if not GSS_CODE_PATTERN.fullmatch(code):
            raise self.error("area.code", f"{code!r} is not a GSS code (e.g. E06000045)")
        vintage = data.get("vintage")
        return SurveyArea(
            code=code,
            vintage=None if vintage is None else self.integer(vintage, "area.vintage", minimum=1),
        )

    def location(self, value: object) -> Location | None:
        if value is None:
            return None
        data = self.mapping(value, "location", {"postcode", "lsoa", "ward"})
        location = Location(
            postcode=self.column(data.get("postcode"), "location.postcode"),
            lsoa=self.column(data.get("lsoa"), "location.lsoa"),
            ward=self.column(data.get("ward"), "location.ward"),
        )
        if location.postcode is not None and location.lsoa is not None:
            raise self.error("location", "give a postcode column or an LSOA column, not both")
        if location.postcode is not None and location.ward is not None:
            raise self.error(
                "location.ward", "the ward comes from the postcode: give no ward column with it"
            )
        if location == Location():
            return None
        return location

    def keep_text(self, value: object) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error("keep_text", f"must map a name to a column, not {_kind(value)}")
        kept: dict[str, str] = {}
        for name, column in value.items():
            key = self.identifier(name, f"keep_text.{name}")
            kept[key] = self.required_text(column, f"keep_text.{key}")
        return kept

    def characteristics(
        self, value: object, location: Location | None
    ) -> dict[str, Characteristic]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error("characteristics", f"must be a mapping, not {_kind(value)}")
        found: dict[str, Characteristic] = {}
        for raw_name, raw in value.items():
            name = self.identifier(raw_name, f"characteristics.{raw_name}")
            found[name] = self.characteristic(name, raw, location)
        return found

    def characteristic(self, name: str, value: object, location: Location | None) -> Characteristic:
        path = f"characteristics.{name}"
        data = self.mapping(value, path, _CHARACTERISTIC_KEYS)
        from_location: LocationSource | None = None
        if data.get("from_location") is not None:
            try:
                from_location = LocationSource(data["from_location"])
            except ValueError:
                raise self.error(
                    f"{path}.from_location",
                    f"{data['from_location']!r} is not one of: "
                    + ", ".join(source.value for source in LocationSource),
                ) from None
            if "column" in data or "categories" in data:
                raise self.error(
                    path, "from_location takes the respondent's area: give no column or categories"
                )
            if location is None:
                raise self.error(
                    f"{path}.from_location", "needs a location block (postcode, lsoa or ward)"
                )
            if (
                from_location is LocationSource.LSOA
                and location.lsoa is None
                and (location.postcode is None)
            ):
                raise self.error(
                    f"{path}.from_location", "needs location.postcode or location.lsoa"
                )
            column = None
            categories: dict[str, tuple[Code, ...]] = {}
            from_data = False
        else:
            column = self.column(data.get("column"), f"{path}.column", required=True)
            raw_categories = data.get("categories")
            from_data = raw_categories == FROM_DATA
            categories = {} if from_data else self.categories(raw_categories, f"{path}.categories")
        ages = self.population_ages(data.get("population_ages"), f"{path}.population_ages")
        sexes = self.population_sex(data.get("population_sex"), f"{path}.population_sex")
        for key, given in (("population_ages", ages), ("population_sex", sexes)):
            if not given:
                continue
            if not categories:
                raise self.error(f"{path}.{key}", "needs the characteristic's categories listed")
            missing = [label for label in categories if label not in given]
            extra = [label for label in given if label not in categories]
            if missing or extra:
                raise self.error(
                    f"{path}.{key}",
                    "must give every category and nothing else"
                    + (f"; missing: {missing}" if missing else "")
                    + (f"; not categories: {extra}" if extra else ""),
                )
        return Characteristic(
            name=name,
            column=column,
            categories=categories,
            from_data=from_data,
            from_location=from_location,
            label=self.text(data.get("label"), f"{path}.label"),
            population_ages=ages,
            population_sex=sexes,
        )

    def population_ages(self, value: object, path: str) -> dict[str, tuple[int, int]]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(path, "must map each category to [youngest, oldest] years of age")
        ages: dict[str, tuple[int, int]] = {}
        for raw_label, bounds in value.items():
            label = self.label(raw_label, path)
            where = _join(path, label)
            if not isinstance(bounds, list) or len(bounds) != 2:
                raise self.error(where, "must be [youngest, oldest], e.g. [16, 24]")
            low = self.integer(bounds[0], f"{where}[0]", minimum=0)
            high = self.integer(bounds[1], f"{where}[1]", minimum=0)
            if high < low or high > 120:
                raise self.error(where, f"[{low}, {high}] is not an age range within 0-120")
            ages[label] = (low, high)
        ordered = sorted(ages.items(), key=lambda item: item[1])
        for (first, (_, first_high)), (second, (second_low, _)) in itertools.pairwise(ordered):
            if second_low <= first_high:
                raise self.error(path, f"the ages of {first!r} and {second!r} overlap")
        return ages

    def population_sex(self, value: object, path: str) -> dict[str, PopulationSex]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(path, "must map each category to male or female")
        sexes: dict[str, PopulationSex] = {}
        for raw_label, sex in value.items():
            label = self.label(raw_label, path)
            try:
                sexes[label] = PopulationSex(sex)
            except ValueError:
                raise self.error(
                    _join(path, label), f"{sex!r} is not one of: male, female"
                ) from None
        return sexes

    def measures(self, value: object) -> dict[str, Measure]:
        if not isinstance(value, dict) or not value:
            raise self.error("measures", "must name at least one measure")
        measures: dict[str, Measure] = {}
        for raw_name, raw in value.items():
            name = self.identifier(raw_name, f"measures.{raw_name}")
            measures[name] = self.measure(name, raw)
        for name, measure in measures.items():
            self.check_among(name, measure, measures)
        return measures

    def measure(self, name: str, value: object) -> Measure:
        path = f"measures.{name}"
        data = self.mapping(value, path, _MEASURE_KEYS)
        try:
            kind = MeasureKind(str(data.get("kind")))
        except ValueError:
            raise self.error(
                f"{path}.kind", f"{data.get('kind')!r} is not one of: single, multiple"
            ) from None
        try:
            polarity = Polarity(data.get("polarity") or Polarity.NO_JUDGEMENT.value)
        except ValueError:
            raise self.error(
                f"{path}.polarity",
                f"{data.get('polarity')!r} is not one of: "
                + ", ".join(item.value for item in Polarity),
            ) from None
        missing = (
            {}
            if data.get("missing") in (None, {})
            else self.categories(data["missing"], f"{path}.missing")
        )
        among = None
        if data.get("among") is not None:
            among_data = self.mapping(data["among"], f"{path}.among", {"measure", "category"})
            among = Among(
                measure=self.identifier(among_data.get("measure"), f"{path}.among.measure"),
                category=self.required_text(among_data.get("category"), f"{path}.among.category"),
            )
        common: dict[str, Any] = {
            "name": name,
            "label": self.required_text(data.get("label"), f"{path}.label"),
            "kind": kind,
            "missing": missing,
            "polarity": polarity,
            "theme": self.text(data.get("theme"), f"{path}.theme"),
            "crime_groups": self.names(data.get("crime_groups"), f"{path}.crime_groups"),
            "among": among,
            "public_concern": self.flag(data.get("public_concern"), f"{path}.public_concern"),
        }
        if kind is MeasureKind.SINGLE:
            for key in ("options", "chosen", "not_chosen"):
                if key in data:
                    raise self.error(f"{path}.{key}", "is for multiple-choice measures only")
            categories = self.categories(data.get("categories"), f"{path}.categories")
            self.disjoint(categories, missing, path)
            headline = self.text(data.get("headline"), f"{path}.headline")
            if headline is not None and headline not in categories:
                raise self.error(
                    f"{path}.headline",
                    f"{headline!r} is not one of the categories: {list(categories)}",
                )
            return Measure(
                **common,
                question=self.column(data.get("question"), f"{path}.question", required=True),
                categories=categories,
                headline=headline,
            )
        for key in ("question", "categories"):
            if key in data:
                raise self.error(
                    f"{path}.{key}",
                    "a multiple-choice measure names its columns under options, not here",
                )
        options = self.options(data.get("options"), f"{path}.options")
        chosen = self.codes(data.get("chosen"), f"{path}.chosen")
        not_chosen: tuple[Code, ...] = ()
        if data.get("not_chosen") not in (None, []):
            not_chosen = self.codes(data["not_chosen"], f"{path}.not_chosen")
        self.disjoint({"chosen": chosen, "not chosen": not_chosen}, missing, path)
        both = [code for code in chosen if code in not_chosen]
        if both:
            raise self.error(f"{path}.not_chosen", f"the code {_shown(both[0])} is also in chosen")
        option_headline = self.text(data.get("headline"), f"{path}.headline")
        labels = [option.label for option in options]
        if option_headline is not None and option_headline not in labels:
            raise self.error(
                f"{path}.headline", f"{option_headline!r} is not one of the options: {labels}"
            )
        return Measure(
            **common,
            options=options,
            chosen=chosen,
            not_chosen=not_chosen,
            headline=option_headline,
        )

    def disjoint(
        self,
        categories: Mapping[str, tuple[Code, ...]],
        missing: Mapping[str, tuple[Code, ...]],
        path: str,
    ) -> None:
        valid = {code: label for label, codes in categories.items() for code in codes}
        for label, codes in missing.items():
            for code in codes:
                if code in valid:
                    raise self.error(
                        f"{path}.missing",
                        f"the code {_shown(code)} is both missing ({label!r}) and {valid[code]!r}",
                    )

    def options(self, value: object, path: str) -> tuple[MeasureOption, ...]:
        if not isinstance(value, dict) or not value:
            raise self.error(path, "must map each option to {column: ...}")
        options: list[MeasureOption] = []
        columns: dict[str, str] = {}
        for raw_label, raw in value.items():
            label = self.label(raw_label, path)
            where = _join(path, label)
            data = self.mapping(raw, where, {"column", "crime_groups"})
            column = self.column(data.get("column"), f"{where}.column", required=True)
            assert column is not None
            if column in columns:
                raise self.error(
                    f"{where}.column", f"{column!r} is also the column of {columns[column]!r}"
                )
            columns[column] = label
            options.append(
                MeasureOption(
                    label=label,
                    column=column,
                    crime_groups=self.names(data.get("crime_groups"), f"{where}.crime_groups"),
                )
            )
        return tuple(options)

    def check_among(self, name: str, measure: Measure, measures: Mapping[str, Measure]) -> None:
        if measure.among is None:
            return
        path = f"measures.{name}.among"
        base = measures.get(measure.among.measure)
        if base is None:
            raise self.error(
                f"{path}.measure", f"{measure.among.measure!r} is not a measure of this codebook"
            )
        if base.name == name:
            raise self.error(f"{path}.measure", "a measure cannot be its own base")
        if measure.among.category not in base.answer_categories:
            raise self.error(
                f"{path}.category",
                f"{measure.among.category!r} is not a category of {base.name}: "
                f"{list(base.answer_categories)}",
            )
        seen = {name}
        current: Measure | None = base
        while current is not None and current.among is not None:
            if current.name in seen:
                raise self.error(path, f"the bases of {name} go round in a circle")
            seen.add(current.name)
            current = measures.get(current.among.measure)

    def weighting(
        self,
        value: object,
        characteristics: Mapping[str, Characteristic],
        *,
        weight: str | None,
    ) -> WeightingSpecification | None:
        if value is None:
            return None
        data = self.mapping(value, "weighting", _WEIGHTING_KEYS)
        try:
            method = WeightingMethod(str(data.get("method")))
        except ValueError:
            raise self.error(
                "weighting.method", f"{data.get('method')!r} is not one of: rake, unweighted"
            ) from None
        if method is WeightingMethod.UNWEIGHTED and weight is not None:
            raise self.error(
                "weighting.method", f"unweighted contradicts the weight column {weight!r}"
            )
        margins = self.names(data.get("margins"), "weighting.margins")
        if method is WeightingMethod.RAKE and not margins:
            raise self.error("weighting.margins", "raking needs at least one characteristic")
        if method is WeightingMethod.UNWEIGHTED and margins:
            raise self.error("weighting.margins", "an unweighted survey has no margins")
        for index, margin in enumerate(margins):
            where = f"weighting.margins[{index}]"
            item = characteristics.get(margin)
            if item is None:
                raise self.error(where, f"{margin!r} is not one of the characteristics")
            if margins.count(margin) > 1:
                raise self.error(where, f"{margin!r} is given twice")
            is_area = item.from_data or item.from_location is not None
            if not (item.population_ages or item.population_sex or is_area):
                raise self.error(
                    where,
                    f"{margin!r} cannot be raked to the population: give it population_ages "
                    "or population_sex, or make it an area (categories: from_data with GSS "
                    "codes, or from_location)",
                )
        population_year = data.get("population_year")
        trim = None
        if data.get("trim") is not None:
            trim_data = self.mapping(data["trim"], "weighting.trim", {"lower", "upper"})
            lower = self.number(trim_data.get("lower"), "weighting.trim.lower")
            upper = self.number(trim_data.get("upper"), "weighting.trim.upper")
            if not 0 < lower <= 1:
                raise self.error("weighting.trim.lower", f"must be in (0, 1], not {lower:g}")
            if upper < 1:
                raise self.error("weighting.trim.upper", f"must be at least 1, not {upper:g}")
            trim = Trim(lower=lower, upper=upper)
        tolerance = self.number(data.get("tolerance", 1.0e-6), "weighting.tolerance")
        if tolerance <= 0:
            raise self.error("weighting.tolerance", "must be above 0")
        return WeightingSpecification(
            method=method,
            margins=margins,
            population_year=None
            if population_year is None
            else self.integer(population_year, "weighting.population_year", minimum=1900),
            trim=trim,
            tolerance=tolerance,
            max_iterations=self.integer(
                data.get("max_iterations", 100), "weighting.max_iterations", minimum=1
            ),
        )


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _kind(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{value!r}"


def _shown(code: Code) -> str:
    return repr(_code_out(code))


def code_text(code: Code) -> str:
    """A code as text: whole numbers without ``.0``.

    >>> code_text(9.0), code_text("Don't know"), code_text(2.5)
    ('9', "Don't know", '2.5')
    """
    out = _code_out(code)
    return out if isinstance(out, str) else str(out)


__all__ = [
    "Among",
    "Characteristic",
    "Code",
    "Codebook",
    "CodebookError",
    "Design",
    "Fieldwork",
    "Location",
    "LocationSource",
    "Measure",
    "MeasureKind",
    "MeasureOption",
    "Polarity",
    "PopulationSex",
    "SurveyArea",
    "Trim",
    "WeightingMethod",
    "WeightingSpecification",
    "code_text",
    "load_codebook",
    "parse_codebook",
]
