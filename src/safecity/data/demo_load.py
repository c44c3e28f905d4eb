"""Loading the synthetic demo city through the same loaders as real data.

The demo writes real-format files (:mod:`safecity.data.synthetic`) and loads them with the
police.uk, reference, force-extract and survey loaders, exactly as an analyst would load real
files.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from safecity.data.extract.loader import load_extract
from safecity.data.extract.pseudonyms import KEY_ENVIRONMENT_VARIABLE, KEY_FILE_ENVIRONMENT_VARIABLE
from safecity.data.load_report import FileLoadReport
from safecity.data.police_uk.loader import ProgressCallback, load_police_uk
from safecity.data.reference.kinds import ReferenceKind
from safecity.data.reference.loader import load_reference
from safecity.data.survey.loader import load_survey
from safecity.data.synthetic import DemoDataset
from safecity.data.synthetic.national_context import PUBLISHER, RELEASE
from safecity.data.synthetic.reference_files import REFERENCE_FILE_KINDS
from safecity.data.synthetic.survey import DemoSurvey
from safecity.data.warehouse import Warehouse

DEMO_KEY_FILE = Path.home() / ".config" / "safecity" / "demo-pseudonym.key"
"""Where the demo keeps a generated pseudonymisation key when none is configured."""


@dataclass(frozen=True, slots=True)
class DemoLoad:
    """What loading the demo did: the reports of every file, and where the key came from."""

    reports: list[FileLoadReport]
    key_source: str


def ensure_demo_key(*, key_file: Path = DEMO_KEY_FILE) -> str:
    """Make sure a pseudonymisation key is configured; for the demo, create one if not.

    A configured key (``SAFECITY_PSEUDONYM_KEY`` or ``SAFECITY_PSEUDONYM_KEY_FILE``) is used as
    it is. Otherwise a random key is written (mode 0600) to ``key_file``, in the user's
    configuration folder, away from the data, and named in this process's environment.

    Returns
    -------
    str
        Where the key comes from, in words.
    """
    if os.environ.get(KEY_ENVIRONMENT_VARIABLE):
        return f"${KEY_ENVIRONMENT_VARIABLE}"
    if os.environ.get(KEY_FILE_ENVIRONMENT_VARIABLE):
        return f"${KEY_FILE_ENVIRONMENT_VARIABLE} ({os.environ[KEY_FILE_ENVIRONMENT_VARIABLE]})"
    if not key_file.is_file():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_hex(32))
    os.environ[KEY_FILE_ENVIRONMENT_VARIABLE] = str(key_file)
    return (
        f"demo key file {key_file} (created for the demo; set ${KEY_ENVIRONMENT_VARIABLE}"
        " for real data)"
    )


def load_demo(
    warehouse: Warehouse,
    *,
    dataset: DemoDataset,
    survey: DemoSurvey | None = None,
    progress: ProgressCallback | None = None,
) -> DemoLoad:
    """Load every file of a generated demo dataset: police.uk, reference data, force extract.

    With ``survey`` (:func:`safecity.data.synthetic.survey.write_demo_survey`), also the
    population by sex and the postcode lookup it wrote, then its waves through their codebooks
    (raked to the population margins the reference files just loaded).
    """
    key_source = ensure_demo_key()
    reports = load_police_uk(
        warehouse, paths=[file.path for file in dataset.police_uk_files], progress=progress
    )
    for name, path in dataset.reference.as_dict().items():
        reports.append(load_reference(warehouse, kind=REFERENCE_FILE_KINDS[name], path=path))
    if dataset.national_context is not None:
        context = dataset.national_context
        for name, path in context.reference().items():
            reports.append(load_reference(warehouse, kind=REFERENCE_FILE_KINDS[name], path=path))
        for table in context.published_tables:
            reports.append(
                load_reference(
                    warehouse,
                    kind=ReferenceKind.PUBLISHED_INDICATORS,
                    path=table.path,
                    publisher=PUBLISHER,
                    title=table.title,
                    release=RELEASE,
                )
            )
    if dataset.extract is not None:
        reports.extend(
            load_extract(
                warehouse, path=dataset.extract.mapping.parent, mapping_path=dataset.extract.mapping
            )
        )
    if survey is not None:
        reports.append(
            load_reference(warehouse, kind=ReferenceKind.POPULATION, path=survey.population_by_sex)
        )
        reports.append(
            load_reference(
                warehouse, kind=ReferenceKind.POSTCODE_LOOKUP, path=survey.postcode_lookup
            )
        )
        for wave in survey.waves:
            reports.extend(
                load_survey(
                    warehouse,
                    path=wave.path,
                    codebook_path=wave.codebook,
                    wave=wave.label,
                    fieldwork_start=wave.fieldwork_start,
                    fieldwork_end=wave.fieldwork_end,
                )
            )
    return DemoLoad(reports=reports, key_source=key_source)
