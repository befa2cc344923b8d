"""Returned work sheets imported all-or-nothing into the operational database.

``import_outcomes(workspace, store, path)``: the file is read and checked row by row
(``ingest.work_sheets``), every person looked up in the register; any problem rejects the
whole file and writes the rejects file (file, row, column, value, reason in Vietnamese and
English); otherwise one ``OutcomeImport`` and one ``FieldOutcome`` per filled-in row, in one
transaction, with the audit event.  The same file (same SHA-256) is imported once.

The steps, each a function: ``previous_import`` (the file seen before?), ``read_returned``
(the rows and their problems), ``unknown_people`` (row keys nobody in the register has),
``reject`` (rejects file, the rejected import and its audit row) and ``record`` (the
outcomes, each with its hamlet, collector, reasons and amount from the current lists).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import select

from baophu.backends import Store
from baophu.contracts.vocabularies import OUTCOMES
from baophu.contracts.work_sheet import KEY_HEADER, OWNER_CODE_LABEL, OWNER_KIND_LABEL
from baophu.engine.potential import MART_PERSONS
from baophu.fieldwork.history import FieldworkError, operational, user_name
from baophu.ingest.readers import file_hash
from baophu.ingest.rejects import write_rejects
from baophu.ingest.work_sheets import (
    Issue,
    OutcomeFileError,
    Returned,
    ReturnedRow,
    issue,
    read_outcomes,
)
from baophu.operational import FieldOutcome, OutcomeImport
from baophu.operational.db import OperationalDB

# What the person's row on the current lists gives an imported outcome.
LISTED_COLUMNS = ("row_key", "owner_type", "hamlet_code", "collector_code", "reasons", "amount")


def import_outcomes(
    workspace: Any, store: Store, path: Path, username: str = "", today: dt.date | None = None
) -> dict[str, Any]:
    """Import one returned work sheet (see the module docstring), recorded as ``username``'s
    (default: who runs the command) with ``today`` the day of a row without a date.

    Returns ``status`` (``imported`` / ``rejected`` / ``already_imported``), ``file``,
    ``rows``, ``rejected``, ``rejects_path``, ``import_id``, ``by_outcome`` (and the first
    ``issues`` when rejected).
    """
    username = username or user_name()
    path = Path(path)
    if not path.exists():
        raise FieldworkError(f"Không tìm thấy tệp {path}", f"file not found: {path}")
    digest = file_hash(path)
    db = operational(workspace)
    try:
        previous = previous_import(db, digest)
        if previous is not None:
            return result(path, "already_imported", import_id=previous)
        returned = read_returned(path, today or dt.date.today())
        issues = returned.issues + unknown_people(store, returned.rows)
        if issues:
            return reject(workspace, db, path, digest, returned, issues, username)
        return record(db, store, path, digest, returned, username)
    finally:
        db.dispose()


def result(
    path: Path,
    status: str,
    *,
    import_id: int | None = None,
    rows: int = 0,
    rejected: int = 0,
    rejects_path: str | None = None,
    by_outcome: dict[str, int] | None = None,
) -> dict[str, Any]:
    """What ``import_outcomes`` returns."""
    return {
        "status": status,
        "file": str(path),
        "import_id": import_id,
        "rows": rows,
        "rejected": rejected,
        "rejects_path": rejects_path,
        "by_outcome": by_outcome or {},
    }


def previous_import(db: OperationalDB, digest: str) -> int | None:
    """The id of an accepted import of the same file (by SHA-256), if any."""
    with db.session() as s:
        done = s.execute(
            select(OutcomeImport.id).where(
                OutcomeImport.file_sha256 == digest, OutcomeImport.rejected == 0
            )
        ).first()
    return None if done is None else int(done[0])


def read_returned(path: Path, today: dt.date) -> Returned:
    """The filled-in rows and their problems; an unreadable file is a ``FieldworkError``."""
    try:
        return read_outcomes(path, today)
    except OutcomeFileError as exc:
        raise FieldworkError(*exc.args) from exc


def unknown_people(store: Store, rows: list[ReturnedRow]) -> list[Issue]:
    """An issue for each row whose key no resident of the register has."""
    keys = sorted({r.row_key for r in rows})
    known: set[str] = set()
    if keys:
        r = store.table("residents")
        found = r.filter(r.person_id.isin(keys)).select("person_id").to_pyarrow()
        known = set(found.column(0).to_pylist())
    return [
        issue(r.sheet, r.row, KEY_HEADER, r.row_key, "key_unknown")
        for r in rows
        if r.row_key not in known
    ]


def issues_table(issues: list[Issue]) -> pa.Table:
    """The issues as the rows of a rejects file (``ingest.rejects.write_rejects``)."""
    return pa.table(
        {
            "row": pa.array([i.row for i in issues], pa.int64()),
            "column": pa.array([f"{i.column} (trang {i.sheet})" for i in issues], pa.string()),
            "value": pa.array([i.value for i in issues], pa.string()),
            "severity": pa.array(["reject"] * len(issues), pa.string()),
            "reason_code": pa.array([i.code for i in issues], pa.string()),
            "reason_vi": pa.array([i.vi for i in issues], pa.string()),
            "reason_en": pa.array([i.en for i in issues], pa.string()),
        }
    )


def reject(
    workspace: Any,
    db: OperationalDB,
    path: Path,
    digest: str,
    returned: Returned,
    issues: list[Issue],
    username: str,
) -> dict[str, Any]:
    """Nothing imported: the rejects file, a rejected ``OutcomeImport`` and its audit row."""
    issues = sorted(issues, key=lambda i: (i.sheet, i.row))
    stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
    out = workspace.rejects_dir / f"outcomes_{stamp}__{path.stem}.csv"
    rejects = write_rejects(issues_table(issues), path, out)
    with db.session() as s:
        s.add(
            OutcomeImport(
                file_name=path.name,
                file_sha256=digest,
                rows=len(returned.rows) + len(returned.issues),
                rejected=len(issues),
                imported_by=username,
            )
        )
        db.audit(
            username,
            "import_rejected",
            path.name,
            rows=len(issues),
            detail=f"outcomes; rejects={rejects}",
            session=s,
        )
    done = result(path, "rejected", rejected=len(issues), rejects_path=str(rejects))
    return {**done, "issues": [i.as_dict() for i in issues[:20]]}


def listed_people(store: Store, keys: list[str]) -> dict[str, dict[str, Any]]:
    """The person's row on the current lists (``LISTED_COLUMNS``), the collector's row
    when the person has rows of several owners."""
    if not keys or not store.has_mart(MART_PERSONS):
        return {}
    t = store.read_mart(MART_PERSONS)
    t = t.filter(t.row_key.isin(keys)).select(*LISTED_COLUMNS)
    out: dict[str, dict[str, Any]] = {}
    for r in t.to_pyarrow().to_pylist():
        prev = out.get(r["row_key"])
        if prev is None or r["owner_type"] == "collector":
            out[r["row_key"]] = r
    return out


def owner_collector(returned: Returned) -> str | None:
    """The collector the sheet was made for (its information sheet), if a collector's."""
    if returned.meta.get(OWNER_KIND_LABEL) == "collector":
        return returned.meta.get(OWNER_CODE_LABEL)
    return None


def field_outcome(
    row: ReturnedRow, listed: dict[str, Any], collector: str | None, import_id: int, by: str
) -> FieldOutcome:
    """One returned row as an outcome; an enrolment without the amount collected counts
    the amount the sheet (or the list) asked for."""
    amount = row.amount_paid
    if amount is None and row.outcome == "enrolled":
        amount = row.amount_listed if row.amount_listed is not None else listed.get("amount")
    return FieldOutcome(
        row_key=row.row_key,
        person_key=int(row.row_key),
        person_id=row.row_key,
        hamlet_code=listed.get("hamlet_code"),
        collector_code=collector or listed.get("collector_code"),
        reasons=(listed.get("reasons") or None),
        outcome=row.outcome,
        outcome_date=row.outcome_date,
        amount=amount,
        note=row.note,
        source="excel",
        import_id=import_id,
        recorded_by=by,
    )


def record(
    db: OperationalDB,
    store: Store,
    path: Path,
    digest: str,
    returned: Returned,
    username: str,
) -> dict[str, Any]:
    """Every returned row as a ``FieldOutcome`` of one ``OutcomeImport``, with the audit
    row, in one transaction."""
    listed = listed_people(store, sorted({r.row_key for r in returned.rows}))
    collector = owner_collector(returned)
    with db.session() as s:
        imp = OutcomeImport(
            file_name=path.name,
            file_sha256=digest,
            rows=len(returned.rows),
            rejected=0,
            imported_by=username,
        )
        s.add(imp)
        s.flush()
        for row in returned.rows:
            s.add(field_outcome(row, listed.get(row.row_key, {}), collector, imp.id, username))
        db.audit(
            username,
            "import",
            path.name,
            unit_code=collector,
            rows=len(returned.rows),
            detail=f"outcomes; import_id={imp.id}; sha256={digest}",
            session=s,
        )
        import_id = imp.id
    by_outcome = {o: 0 for o in OUTCOMES}
    for r in returned.rows:
        by_outcome[r.outcome] += 1
    return result(
        path,
        "imported",
        import_id=import_id,
        rows=len(returned.rows),
        by_outcome={k: v for k, v in by_outcome.items() if v},
    )
