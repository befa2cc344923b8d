"""Field work around the potential lists, on the operational database: the history of
contacts, exports written to the audit log, returned work sheets imported all-or-nothing, and
each collector's achievement and commission.

* ``latest_outcomes(db)`` — per person (``row_key``: the 12-digit personal ID) the last field
  outcome recorded, its date and how many contacts there were;
  what ``run_lists`` shows on the list and what the work sheets show as the last contact.
  Outcomes are history: nothing here updates or deletes one.
* ``audit_export`` — every export of a named list is an ``AuditEvent`` (who, what, when, how
  many rows).
* ``import_outcomes`` — a returned work sheet: read and checked (``ingest.work_sheets``),
  every person looked up in the register; any problem rejects the whole file and writes the
  rejects file (file, row, column, value, reason in Vietnamese and English); otherwise one
  ``OutcomeImport`` and one ``FieldOutcome`` per filled-in row, in one transaction, with the
  audit event.  The same file (same SHA-256) is imported once.
* ``achievement`` — per collector for a year: the people whose latest outcome this year is
  *enrolled* (what the field reports before the next import confirms it), how many of them
  the data already confirm (no longer on a BHYT list), the collector's target from
  ``targets_allocated`` (hierarchy ``agents``: the target in people and the increase still
  to find when it was allocated), and the commission: ``collector.commission_rate`` (a
  placeholder until the decision is entered in the legal parameters) × the amounts collected.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import func, select

from baophu.backends import Store
from baophu.contracts.vocabularies import OUTCOMES
from baophu.engine.potential import MART_LIST, MART_PERSONS, ListParams
from baophu.ingest.rejects import write_rejects
from baophu.ingest.work_sheets import Issue, OutcomeFileError, issue, read_outcomes
from baophu.operational import FieldOutcome, OutcomeImport
from baophu.operational.db import OperationalDB, open_operational
from baophu.operational.outcomes import last_outcomes_table

OUTCOME_TABLE = pa.schema(
    [
        ("row_key", pa.string()),
        ("last_outcome", pa.string()),
        ("last_outcome_date", pa.date32()),
        ("contacts", pa.int64()),
    ]
)


class FieldworkError(Exception):
    """Field work cannot go on (message in Vietnamese and English)."""


def user_name() -> str:
    """Who runs a command line (for the audit log and ``recorded_by``)."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli"


def operational(workspace: Any) -> OperationalDB:
    return open_operational(workspace)


def latest_outcomes(db: OperationalDB) -> pa.Table:
    """The last outcome of every person with one (``OUTCOME_TABLE``): the operational
    database's own definition (``operational.outcomes.last_outcomes_table``: the last one
    recorded), so the lists, the work sheets and the web agree."""
    return last_outcomes_table(db).select(OUTCOME_TABLE.names).cast(OUTCOME_TABLE)


def outcome_map(table: pa.Table) -> dict[str, dict[str, Any]]:
    """``latest_outcomes`` as row_key → {last_outcome, last_outcome_date, contacts}."""
    return {r["row_key"]: r for r in table.to_pylist()}


def audit_export(
    db: OperationalDB,
    what: str,
    *,
    unit_code: str | None,
    rows: int,
    detail: str,
    username: str | None = None,
) -> None:
    db.audit(
        username or user_name(),
        "export",
        what,
        unit_code=unit_code,
        rows=rows,
        detail=detail,
    )


# --------------------------------------------------------------------------- import


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _issues_table(issues: list[Issue]) -> pa.Table:
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


def _registered(store: Store, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    r = store.table("residents")
    found = r.filter(r.person_id.isin(keys)).select("person_id").to_pyarrow()
    return set(found.column(0).to_pylist())


def _listed(store: Store, keys: list[str]) -> dict[str, dict[str, Any]]:
    """The person's row(s) on the current lists: hamlet, collector, reasons, amount."""
    if not keys or not store.has_mart(MART_PERSONS):
        return {}
    t = store.read_mart(MART_PERSONS)
    t = t.filter(t.row_key.isin(keys)).select(
        "row_key", "owner_type", "hamlet_code", "collector_code", "reasons", "amount"
    )
    out: dict[str, dict[str, Any]] = {}
    for r in t.to_pyarrow().to_pylist():
        prev = out.get(r["row_key"])
        if prev is None or r["owner_type"] == "collector":
            out[r["row_key"]] = r
    return out


def import_outcomes(
    workspace: Any,
    store: Store,
    path: Path,
    username: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Import one returned work sheet (see the module docstring).

    Returns ``status`` (``imported`` / ``rejected`` / ``already_imported``), ``rows``,
    ``rejected``, ``rejects_path``, ``import_id``, ``by_outcome``.
    """
    username = username or user_name()
    today = today or dt.date.today()
    path = Path(path)
    if not path.exists():
        raise FieldworkError(f"Không tìm thấy tệp {path}", f"file not found: {path}")
    digest = _sha256(path)
    db = operational(workspace)
    try:
        with db.session() as s:
            done = s.execute(
                select(OutcomeImport.id).where(
                    OutcomeImport.file_sha256 == digest, OutcomeImport.rejected == 0
                )
            ).first()
        if done is not None:
            return {
                "status": "already_imported",
                "file": str(path),
                "import_id": int(done[0]),
                "rows": 0,
                "rejected": 0,
                "rejects_path": None,
                "by_outcome": {},
            }
        try:
            returned = read_outcomes(path, today)
        except OutcomeFileError as exc:
            raise FieldworkError(*exc.args) from exc
        keys = sorted({r.row_key for r in returned.rows})
        known = _registered(store, keys)
        issues = list(returned.issues)
        for r in returned.rows:
            if r.row_key not in known:
                issues.append(issue(r.sheet, r.row, "Mã dòng", r.row_key, "key_unknown"))
        by_outcome = {o: 0 for o in OUTCOMES}
        for r in returned.rows:
            by_outcome[r.outcome] += 1
        if issues:
            issues.sort(key=lambda i: (i.sheet, i.row))
            stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
            out = workspace.rejects_dir / f"outcomes_{stamp}__{path.stem}.csv"
            rejects = write_rejects(_issues_table(issues), path, out)
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
            return {
                "status": "rejected",
                "file": str(path),
                "import_id": None,
                "rows": 0,
                "rejected": len(issues),
                "rejects_path": str(rejects),
                "issues": [i.as_dict() for i in issues[:20]],
                "by_outcome": {},
            }
        listed = _listed(store, keys)
        meta = returned.meta
        owner_collector = (
            meta.get("Mã người phụ trách")
            if meta.get("Loại người phụ trách") == "collector"
            else None
        )
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
            for r in returned.rows:
                info = listed.get(r.row_key, {})
                amount = r.amount_paid
                if amount is None and r.outcome == "enrolled":
                    amount = r.amount_listed if r.amount_listed is not None else info.get("amount")
                s.add(
                    FieldOutcome(
                        row_key=r.row_key,
                        person_key=int(r.row_key),
                        person_id=r.row_key,
                        hamlet_code=info.get("hamlet_code"),
                        collector_code=owner_collector or info.get("collector_code"),
                        reasons=(info.get("reasons") or None),
                        outcome=r.outcome,
                        outcome_date=r.outcome_date,
                        amount=amount,
                        note=r.note,
                        source="excel",
                        import_id=imp.id,
                        recorded_by=username,
                    )
                )
            db.audit(
                username,
                "import",
                path.name,
                unit_code=owner_collector,
                rows=len(returned.rows),
                detail=f"outcomes; import_id={imp.id}; sha256={digest}",
                session=s,
            )
            import_id = imp.id
        return {
            "status": "imported",
            "file": str(path),
            "import_id": import_id,
            "rows": len(returned.rows),
            "rejected": 0,
            "rejects_path": None,
            "by_outcome": {k: v for k, v in by_outcome.items() if v},
        }
    finally:
        db.dispose()


# ----------------------------------------------------------------------- achievement


def _targets(store: Store, year: int) -> dict[str, dict[str, Any]]:

    if not store.has_mart("targets_allocated"):
        return {}
    t = store.read_mart("targets_allocated")
    t = t.filter((t.hierarchy == "agents") & (t.level == "collector") & (t.year == year))
    out: dict[str, dict[str, Any]] = {}
    for r in t.to_pyarrow().to_pylist():
        entry = out.setdefault(
            r["unit_code"], {"target_people": 0, "target_new": 0, "indicators": []}
        )
        entry["target_people"] += int(r["target_people"] or 0)
        entry["target_new"] += max(int(r["target_people"] or 0) - int(r["achieved"] or 0), 0)
        entry["indicators"].append(r["indicator"])
    return out


def _collectors(store: Store) -> dict[str, dict[str, Any]]:
    c = store.table("collectors")
    rows = c.select("collector_code", "full_name", "agent_code").distinct().to_pyarrow()
    return {r["collector_code"]: r for r in rows.to_pylist()}


def _still_listed(store: Store, keys: list[str]) -> set[str]:
    """Of ``keys``, the people still on a BHYT or voluntary list other than the pool."""
    if not keys or not store.has_mart(MART_LIST):
        return set()
    t = store.read_mart(MART_LIST)
    t = t.filter(t.row_key.isin(keys) & (t.reason != "voluntary_pool")).select("row_key")
    return set(t.distinct().to_pyarrow().column(0).to_pylist())


def achievement(
    workspace: Any,
    store: Store,
    year: int,
    collector_code: str | None = None,
    on: dt.date | None = None,
) -> dict[str, Any]:
    """Achievement and commission of every collector (or one) for ``year``."""
    on = on or dt.date.today()
    params = ListParams.on(min(on, dt.date(year, 12, 31)))
    db = operational(workspace)
    try:
        with db.session() as s:
            q = select(
                FieldOutcome.collector_code,
                FieldOutcome.person_key,
                FieldOutcome.outcome,
                FieldOutcome.outcome_date,
                FieldOutcome.amount,
                FieldOutcome.id,
            ).where(
                FieldOutcome.outcome_date >= dt.date(year, 1, 1),
                FieldOutcome.outcome_date <= dt.date(year, 12, 31),
                FieldOutcome.collector_code.is_not(None),
            )
            if collector_code:
                q = q.where(FieldOutcome.collector_code == collector_code)
            rows = s.execute(q).all()
            total = s.execute(select(func.count(FieldOutcome.id))).scalar_one()
    finally:
        db.dispose()
    # each person once per collector, at their last recorded outcome (as
    # operational.outcomes.collector_achievement counts)
    latest: dict[tuple[str, int], tuple[int, dt.date, str, int | None]] = {}
    for coll, key, outcome, day, amount, oid in rows:
        k = (str(coll), int(key))
        if k not in latest or oid > latest[k][0]:
            latest[k] = (oid, day, outcome, amount)
    targets = _targets(store, year)
    names = _collectors(store)
    codes = sorted({c for c, _ in latest} | (set(targets) if not collector_code else set()))
    if collector_code:
        codes = [collector_code]
    enrolled_keys = sorted({f"{k:012d}" for (c, k), v in latest.items() if v[2] == "enrolled"})
    listed = _still_listed(store, enrolled_keys)
    out = []
    for code in codes:
        mine = {key: v for (c, key), v in latest.items() if c == code}
        by_outcome = {o: 0 for o in OUTCOMES}
        amount = 0
        confirmed = 0
        for person, (_, _, outcome, amt) in mine.items():
            by_outcome[outcome] = by_outcome.get(outcome, 0) + 1
            if outcome == "enrolled":
                amount += int(amt or 0)
                confirmed += f"{person:012d}" not in listed
        target = targets.get(code, {})
        target_new = target.get("target_new")
        enrolled = by_outcome["enrolled"]
        out.append(
            {
                "collector_code": code,
                "collector_name": (names.get(code) or {}).get("full_name"),
                "agent_code": (names.get(code) or {}).get("agent_code"),
                "approached": len(mine),
                "by_outcome": by_outcome,
                "enrolled": enrolled,
                "confirmed": confirmed,
                "target_people": target.get("target_people"),
                "target_new": target_new,
                "achievement_ratio": (enrolled / target_new) if target_new else None,
                "amount_collected": amount,
                "commission_rate": params.commission_rate,
                "commission": round(amount * params.commission_rate),
            }
        )
    return {
        "year": year,
        "on": on.isoformat(),
        "commission_rate": params.commission_rate,
        "commission_placeholder": params.commission_placeholder,
        "commission_source": params.sources.get("collector.commission_rate"),
        "outcomes_recorded": int(total),
        "collectors": out,
    }
