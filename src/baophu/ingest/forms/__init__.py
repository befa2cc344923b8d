"""Readers of the forms people submit, as they arrive: the employer's D02-LT workbook and
the e-declaration XML dossiers (TK1-TS, D03-TS, D05-TS).  ``read_form(path)`` gives the
form's rows as a ``RawFile`` under the headers of the table they load into, after the form's
structure (header rows, merged cells, envelope, totals) has been checked; the importer then
validates, rejects and imports them like any other file, all or nothing.

``ingest.readers`` asks ``is_form(path)`` before its own readers (one small hook).
"""

from __future__ import annotations

from pathlib import Path

from baophu.ingest.forms.d02lt import is_d02lt, read_d02lt
from baophu.ingest.forms.edeclaration import is_edeclaration, read_edeclaration
from baophu.ingest.readers import RawFile

FORM_SUFFIXES = (".xml",)


def is_form(path: Path) -> bool:
    return is_edeclaration(path) or is_d02lt(path)


def read_form(path: Path) -> RawFile:
    if is_edeclaration(path):
        return read_edeclaration(path)
    return read_d02lt(path)


__all__ = ["FORM_SUFFIXES", "is_form", "read_form"]
