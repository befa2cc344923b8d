"""Which canonical table a file holds, and which of its columns is which.

A file is recognised by its header first (how many of a contract's columns it carries, with or
without diacritics) and by its name second.  A file whose header lacks a required column is
refused with the list of what is missing, in the Vietnamese headers a user would type.
"""

from __future__ import annotations

import functools
from pathlib import Path

from baophu.contracts import CONTRACTS, Contract, fold_header
from baophu.ingest.errors import ImportFileError


@functools.lru_cache(maxsize=1)
def all_known_headers() -> frozenset[str]:
    """Every folded header any contract knows (for finding the header row of a file)."""
    known: set[str] = set()
    for contract in CONTRACTS.values():
        for column in contract.columns:
            known |= column.header_keys()
    return frozenset(known)


def _stem_matches(path: Path, contract: Contract) -> bool:
    stem = fold_header(path.stem)
    return any(stem.startswith(s) for s in contract.file_stems)


def _mapping(headers: list[str], contract: Contract) -> dict[str, str]:
    """canonical column -> header as written in the file (first match wins)."""
    folded = [(fold_header(h), h) for h in headers]
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for column in contract.columns:
        keys = column.header_keys()
        for key, header in folded:
            if key in keys and header not in used:
                mapping[column.name] = header
                used.add(header)
                break
    return mapping


def detect(
    path: Path, headers: list[str], forced: str | None = None
) -> tuple[Contract, dict[str, str]]:
    """The contract a file belongs to and its column mapping; raises ``ImportFileError``."""
    shown = ", ".join(h for h in headers if not h.startswith("__blank_")) or "(không có / none)"
    if forced is not None:
        if forced not in CONTRACTS:
            raise ImportFileError("unknown_table", path, headers=shown)
        candidates = [CONTRACTS[forced]]
    else:
        candidates = list(CONTRACTS.values())
    scored = []
    for contract in candidates:
        mapping = _mapping(headers, contract)
        required = [c for c in contract.required_headers]
        present = sum(1 for c in required if c.name in mapping)
        complete = present == len(required)
        scored.append(
            (
                complete,
                present / len(required),
                _stem_matches(path, contract),
                len(mapping),
                contract.table,
                contract,
                mapping,
            )
        )
    scored.sort(key=lambda s: s[:5], reverse=True)
    complete, _share, _stem_ok, mapped, _, contract, mapping = scored[0]
    if forced is None and not complete:
        # Prefer the table the file name points to when explaining what is missing.
        by_stem = [s for s in scored if s[2]]
        if by_stem:
            complete, _share, _stem_ok, mapped, _, contract, mapping = by_stem[0]
        elif mapped < 2:
            raise ImportFileError("unknown_table", path, headers=shown)
    if not complete:
        missing = [f"{c.vi} ({c.name})" for c in contract.required_headers if c.name not in mapping]
        raise ImportFileError(
            "missing_columns",
            path,
            row=None,
            table=contract.table,
            missing="; ".join(missing),
            headers=shown,
        )
    return contract, mapping
