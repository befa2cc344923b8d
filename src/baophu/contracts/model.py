"""The shape of a data contract: columns, types (and their Arrow types), keys, enumerations
and Vietnamese headers.

A contract says what one canonical table holds.  Ingest validates files against it,
the synthetic generator writes files that satisfy it, and the engine reads the canonical
column names it defines.  Nothing here reads files or computes indicators.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa

from baophu.vn.text import fold

DType = Literal["string", "int", "float", "date", "month", "bool", "datetime"]

# The Arrow type each column type is stored, read and written as (months as their first day).
ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "date": pa.date32(),
    "month": pa.date32(),
    "bool": pa.bool_(),
    "datetime": pa.timestamp("us"),  # wall-clock time, no time zone
}

# How a column is checked beyond its type.
Check = Literal[
    "person_id",  # 12-digit personal identification number (số định danh cá nhân)
    "si_code",  # legacy 10-digit social-insurance code (mã số BHXH)
    "tax_code",  # 10-digit enterprise/tax code (mã số thuế), optional 3-digit branch suffix
    "non_negative",  # numbers that can never be below zero (amounts, headcounts)
    "positive",
    "percent",  # a fraction between 0 and 1
    "phone",  # a Vietnamese phone number (kept with a warning when it is not one)
]

# What happens when a personal ID fails its check.
#   reject: the row goes to the rejects file (registers: the ID *is* the record)
#   keep:   the row is kept and the problem is reported as a warning; the identity step
#           decides later (rosters and enrolments arrive with mistyped IDs by nature)
IdPolicy = Literal["reject", "keep"]


Severity = Literal["reject", "warning"]

# Text longer than this is not a value a person typed (a broken export, a pasted document).
MAX_TEXT_LENGTH = 1000


@dataclass(frozen=True)
class Plausible:
    """The values of a column a real file can hold; outside them the row is refused (or, with
    ``severity="warning"``, kept and reported).

    Numbers: ``low`` and ``high`` (inclusive).  Dates and months: at most ``years_back`` years
    before and ``days_ahead`` days after the import date.  Whole-number years (``year=True``):
    at most ``years_back`` before and ``days_ahead // 365`` years after the import year.
    """

    low: float | None = None
    high: float | None = None
    years_back: int | None = None
    days_ahead: int | None = None
    year: bool = False
    severity: Severity = "reject"

    def date_bounds(self, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
        """Earliest and latest plausible date for an import made on ``today``."""
        earliest = None
        if self.years_back is not None:
            earliest = today.replace(year=today.year - self.years_back, day=1)
        latest = today + dt.timedelta(days=self.days_ahead) if self.days_ahead is not None else None
        return earliest, latest

    def year_bounds(self, today: dt.date) -> tuple[int | None, int | None]:
        """Earliest and latest plausible year for an import made on ``today``."""
        earliest = today.year - self.years_back if self.years_back is not None else None
        latest = today.year + self.days_ahead // 365 if self.days_ahead is not None else None
        return earliest, latest

    def describe(self) -> str:
        """The range in words, for the data-contracts page."""
        if self.year:
            back = f"{self.years_back} years before" if self.years_back is not None else ""
            ahead = f"{self.days_ahead // 365} years after" if self.days_ahead is not None else ""
            text = " to ".join(p for p in (back, ahead) if p) + " the import year"
        elif self.years_back is not None or self.days_ahead is not None:
            parts = []
            if self.years_back is not None:
                parts.append(f"not more than {self.years_back} years before")
            if self.days_ahead is not None:
                parts.append(
                    "not after" if self.days_ahead == 0 else f"at most {self.days_ahead} days after"
                )
            text = " and ".join(parts) + " the import date"
        else:
            low = f"{self.low:,.0f}" if self.low is not None else "…"
            high = f"{self.high:,.0f}" if self.high is not None else "…"
            text = f"between {low} and {high}"
        return text + (" (else a warning)" if self.severity == "warning" else "")


@functools.lru_cache(maxsize=1024)
def _header_keys(name: str, vi: str, aliases: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold_header(h) for h in (name, vi, *aliases))


# Characters a header may use between words: read as spaces.
HEADER_SEPARATORS = "_-./()\n\t:*"


@functools.lru_cache(maxsize=1 << 16)
def fold_header(text: str) -> str:
    """Normalise a column header for matching: NFC, no diacritics, lower case, single spaces.

    ``"Số định danh cá nhân"``, ``"SO DINH DANH CA NHAN"`` and ``"so_dinh_danh_ca_nhan"``
    all fold to ``"so dinh danh ca nhan"``.
    """
    return fold(text, HEADER_SEPARATORS)


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    dtype: DType
    vi: str  # the Vietnamese header a real export would carry
    required: bool = True  # a value must be present in every row
    description: str = ""
    aliases: tuple[str, ...] = ()  # other headers seen in the wild
    allowed: tuple[str, ...] | None = None  # canonical values of an enumeration
    value_aliases: dict[str, str] = field(default_factory=dict)  # folded input -> canonical
    check: Check | None = None
    id_policy: IdPolicy = "reject"
    references: tuple[str, str] | None = None  # (table, column) the value must exist in
    plausible: Plausible | None = None  # the range a real value falls in
    # (column, codes): the value must be a fraction between 0 and 1 in rows whose ``column``
    # holds one of ``codes`` (a rate target written as 96 where 0.96 is meant)
    fraction_when: tuple[str, tuple[str, ...]] | None = None
    max_length: int = MAX_TEXT_LENGTH  # text columns: longest value accepted

    def header_keys(self) -> frozenset[str]:
        """Every folded header that names this column."""
        return _header_keys(self.name, self.vi, self.aliases)


@dataclass(frozen=True)
class PersonConsistency:
    """Columns whose personal ID must agree with birth year and sex."""

    id_column: str
    birth_column: str
    sex_column: str


@dataclass(frozen=True)
class Contract:
    """A canonical table: what it holds, its key, how files of it are recognised."""

    table: str
    title_vi: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    file_stems: tuple[str, ...]  # folded file-name stems that identify the table
    person: PersonConsistency | None = None
    # full:  every file is a complete extract and replaces the whole table (registers, lists
    #        of units, employers);
    # parts: each file is one part (a commune's roster, a month's payments) and replaces only
    #        the rows earlier imported from a file of the same name.
    load_mode: Literal["full", "parts"] = "full"

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.table} has no column {name!r}")

    @property
    def required_headers(self) -> list[Column]:
        """Columns a file must carry; a column whose values may be empty may also be absent."""
        return [c for c in self.columns if c.required]
