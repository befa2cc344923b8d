"""Where the importer reads a file from: a submitted form (D02-LT workbook, e-declaration
XML) through ``ingest.forms``, anything else through ``ingest.readers``.  The importer asks
only this module, so a new kind of form is one reader more, not a change to the importer."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from pathlib import Path

from baophu.ingest import readers
from baophu.ingest.forms import FORM_SUFFIXES, is_form, read_form
from baophu.ingest.readers import RawFile

SUPPORTED_SUFFIXES = (*readers.SUPPORTED_SUFFIXES, *FORM_SUFFIXES)


def read_file(path: Path, known_headers: AbstractSet[str]) -> RawFile:
    if path.exists() and is_form(path):
        return read_form(path)
    return readers.read_file(path, known_headers)


def peek_headers(path: Path, known_headers: AbstractSet[str]) -> list[str]:
    if path.exists() and is_form(path):
        return read_form(path).headers
    return readers.peek_headers(path, known_headers)
