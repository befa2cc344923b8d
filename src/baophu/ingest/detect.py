"""Which canonical table a file holds, and which of its columns is which.

The file name comes first: a name that claims tables (``residents.parquet``,
``danh_sach_ho_26735.xlsx``, ``so_phai_dong_2026.csv``; each contract's ``file_stems``) allows
only those tables, and a file that lacks a required column of the table its name claims is
refused with the missing columns named — never read as another table whose columns it happens
to carry.  Among the tables the name allows (all of them for a name that claims none) the header
decides: the table whose required columns are all present and that explains most of the file's
columns.  When a table that explains more of the file lacks required columns, the file is
refused naming them rather than read as a smaller table.  Two headers naming one column are
refused too.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from baophu.contracts import CONTRACTS, Contract, fold_header
from baophu.ingest.errors import ImportFileError
from baophu.ingest.messages import printable

_REPEAT = re.compile(r"__\d+$")


@functools.lru_cache(maxsize=1)
def all_known_headers() -> frozenset[str]:
    """Every folded header any contract knows (for finding the header row of a file)."""
    known: set[str] = set()
    for contract in CONTRACTS.values():
        for column in contract.columns:
            known |= column.header_keys()
    return frozenset(known)


def _stem_words(stem: str) -> str:
    return f" {fold_header(stem)} "


def claimed_tables(path: Path) -> list[str]:
    """Tables whose file stems appear in the file's name as whole words, longest stem first
    (``danh_sach_hoc_sinh_01.xlsx`` claims school_rosters, not household_classifications)."""
    name = _stem_words(path.stem)
    hits: list[tuple[int, str]] = []
    for contract in CONTRACTS.values():
        longest = max((len(stem) for stem in contract.file_stems if f" {stem} " in name), default=0)
        if longest:
            hits.append((longest, contract.table))
    if not hits:
        return []
    # A stem inside a longer one that also matched ("danh sach ho" in "danh sach ho gia
    # dinh"?) still counts: the content chooses among every table the name allows.
    hits.sort(key=lambda h: (-h[0], h[1]))
    return [table for _, table in hits]


def _mapping(headers: list[str], contract: Contract) -> tuple[dict[str, str], list[str]]:
    """canonical column -> header as written in the file (first match wins), and the
    headers that name a column already named by an earlier header."""
    # (a header repeated in the file was made unique as "name__1": it still names "name")
    folded = [(fold_header(_REPEAT.sub("", h)), h) for h in headers]
    mapping: dict[str, str] = {}
    repeated: list[str] = []
    for column in contract.columns:
        keys = column.header_keys()
        matches = [header for key, header in folded if key in keys]
        if matches:
            mapping[column.name] = matches[0]
            repeated += [f"{matches[0]} = {other}" for other in matches[1:]]
    return mapping, repeated


@dataclass
class _Fit:
    contract: Contract
    mapping: dict[str, str]
    repeated: list[str]
    missing: list[str]  # required columns absent, as "Tiêu đề (name)"

    @property
    def complete(self) -> bool:
        return not self.missing


def _fit(headers: list[str], contract: Contract) -> _Fit:
    mapping, repeated = _mapping(headers, contract)
    missing = [f"{c.vi} ({c.name})" for c in contract.required_headers if c.name not in mapping]
    return _Fit(contract, mapping, repeated, missing)


def shown_headers(headers: list[str]) -> str:
    """The headers of a file as a message may show them (printable, at most 30)."""
    real = [printable(h, 40) for h in headers if not h.startswith("__blank_")]
    text = ", ".join(real[:30]) + (f", … (+{len(real) - 30})" if len(real) > 30 else "")
    return text or "(không có / none)"


def detect(
    path: Path, headers: list[str], forced: str | None = None
) -> tuple[Contract, dict[str, str]]:
    """The contract a file belongs to and its column mapping; raises ``ImportFileError``."""
    shown = shown_headers(headers)
    if forced is not None:
        if forced not in CONTRACTS:
            raise ImportFileError("unknown_table", path, headers=shown)
        allowed = [forced]
    else:
        allowed = claimed_tables(path) or list(CONTRACTS)
    fits = [_fit(headers, CONTRACTS[t]) for t in allowed]
    # The table that explains most of the file's columns, complete tables first among equals;
    # a smaller table that happens to be complete never wins over it (a register missing one
    # column is not a household list).
    fits.sort(key=lambda f: (-len(f.mapping), not f.complete, f.contract.table))
    best = fits[0]
    unclaimed = forced is None and len(allowed) == len(CONTRACTS)
    if not best.complete and unclaimed and len(best.mapping) < 2:
        raise ImportFileError("unknown_table", path, headers=shown)
    tied = [
        f.contract.table
        for f in fits[1:]
        if f.complete and best.complete and len(f.mapping) == len(best.mapping)
    ]
    if tied:
        raise ImportFileError(
            "ambiguous_table",
            path,
            tables=", ".join([best.contract.table, *tied]),
            example=best.contract.table,
            headers=shown,
        )
    if best.repeated:
        raise ImportFileError("duplicate_columns", path, columns="; ".join(best.repeated))
    if not best.complete:
        others = [
            t
            for t in CONTRACTS
            if t != best.contract.table and _fit(headers, CONTRACTS[t]).complete
        ]
        hint_vi = hint_en = ""
        if others:
            hint_vi = f". Nội dung giống bảng {others[0]}"
            hint_en = f". The content looks like table {others[0]}"
        raise ImportFileError(
            "missing_columns",
            path,
            row=None,
            table=best.contract.table,
            missing="; ".join(best.missing),
            headers=shown,
            hint_vi=hint_vi,
            hint_en=hint_en,
        )
    return best.contract, best.mapping


def extra_headers(headers: list[str], mapping: dict[str, str]) -> list[str]:
    """Headers of the file that name no column of its table (listed in a notice)."""
    used = set(mapping.values())
    return [h for h in headers if h not in used and not h.startswith("__blank_")]
