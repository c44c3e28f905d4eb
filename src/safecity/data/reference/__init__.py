"""Reference data: area lookups, populations, deprivation, boundaries, offences, harm weights,
and publishers' national tables (published indicators, comparator groups, offence counts).

``load_reference`` loads one file of a :class:`ReferenceKind`; ``reference_vintages`` says what
is loaded.
"""

from safecity.data.reference.errors import ReferenceFileRejectedError
from safecity.data.reference.kinds import ReferenceFormat, ReferenceKind
from safecity.data.reference.loader import load_reference
from safecity.data.reference.published_indicators import PublishedIndicator
from safecity.data.reference.vintages import ReferenceHolding, reference_vintages

__all__ = [
    "PublishedIndicator",
    "ReferenceFileRejectedError",
    "ReferenceFormat",
    "ReferenceHolding",
    "ReferenceKind",
    "load_reference",
    "reference_vintages",
]
