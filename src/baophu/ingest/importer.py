"""An import: files in, validated rows out to the workspace, all or nothing, one snapshot each.

One call of ``import_paths`` is one batch.  Files are recognised, put in dependency order
(units before residents, employers before the ledger, …), read, validated and written inside one
store batch.  Any file that cannot be imported at all (wrong header, cut off, damaged, too many
rejected rows, a suspicious shrink) aborts the whole batch and the workspace keeps its previous
state.  Rejected rows never abort: they go to the rejects file with their reasons.  A file whose
content was already imported (same SHA-256) is skipped, so importing twice changes nothing.

Before the batch is committed, every code that other data still refers to must still exist: a
units file that drops a hamlet where residents live is refused naming the orphans (unless the
caller allows orphans).  Any error, expected or not, names the file it happened in.
"""

from __future__ import annotations

import datetime as dt
import time
import unicodedata
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from baophu.backends import Batch, Store
from baophu.contracts import CONTRACTS, IMPORT_ORDER, Contract
from baophu.contracts.progress import Progress
from baophu.ingest import claims_xml
from baophu.ingest.detect import all_known_headers, detect, extra_headers, shown_headers
from baophu.ingest.errors import ImportFileError
from baophu.ingest.messages import printable, text
from baophu.ingest.readers import RawFile
from baophu.ingest.rejects import write_rejects
from baophu.ingest.sources import SUPPORTED_SUFFIXES, peek_headers, read_file
from baophu.ingest.validate import (
    ISSUE_SCHEMA,
    Problem,
    coerce_keys,
    duplicate_problems,
    duplicated_keys,
    issues_table,
    reject_mask,
    validate,
)


@dataclass
class FileResult:
    path: str
    table: str
    source: str
    status: str  # imported | unchanged | failed | pending
    snapshot_id: str | None = None
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    rows_warned: int = 0
    rejects_path: str | None = None
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class ImportResult:
    batch_id: str
    committed: bool
    files: list[FileResult]
    error: str | None = None
    error_vi: str | None = None
    error_en: str | None = None
    error_code: str | None = None  # the reason code of ``ingest.messages`` that stopped it

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportOptions:
    table: str | None = None  # force the table instead of detecting it
    allow_shrink: bool = False
    allow_orphans: bool = False  # accept a reference table that drops codes still referred to
    shrink_ratio: float = 0.5  # refuse a replacement with fewer rows than this share of the old
    max_reject_share: float = 0.5  # refuse a file more than this share of whose rows fail
    chunk_rows: int = 1_000_000  # rows validated and written at a time (bounds memory)
    today: dt.date | None = None


def expand(paths: list[Path]) -> list[Path]:
    """Files named, and the supported files under folders named (recursively, sorted)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not p.name.startswith(("~$", "."))
            )
        else:
            out.append(path)
    return out


def source_name(path: Path) -> str:
    return unicodedata.normalize("NFC", path.name).casefold()


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _unexpected(path: Path, exc: Exception) -> ImportFileError:
    """An error nobody foresaw, as an import error naming the file (never a bare traceback)."""
    detail = printable(f"{type(exc).__name__}: {exc}", 300)
    return ImportFileError("unexpected_error", path, detail=detail)


def plan(paths: list[Path], forced: str | None) -> list[tuple[Path, Contract, dict[str, str]]]:
    """Recognise every file and order them so that referenced tables come first."""
    known = all_known_headers()
    planned = []
    for path in paths:
        try:
            if claims_xml.is_claims_xml(path):  # one file, three claim tables
                planned += claims_xml.plan(path, forced)
                continue
            headers = peek_headers(path, known)
            contract, mapping = detect(path, headers, forced)
        except ImportFileError:
            raise
        except Exception as exc:
            raise _unexpected(path, exc) from exc
        planned.append((path, contract, mapping))
    order = {t: i for i, t in enumerate(IMPORT_ORDER)}
    planned.sort(key=lambda item: (order[item[1].table], str(item[0])))
    return planned


class _Keys:
    """Key sets of referenced tables as the batch sees them, cached until that table changes."""

    def __init__(self, batch: Batch, path: Path) -> None:
        self.batch = batch
        self.path = path
        self.cache: dict[tuple[str, str], pa.Array] = {}

    def __call__(self, table: str, column: str) -> pa.Array:
        key = (table, column)
        if key not in self.cache:
            values = self.batch.key_values(table, column)
            if len(values) == 0:
                raise ImportFileError("reference_table_empty", self.path, ref_table=table)
            self.cache[key] = values
        return self.cache[key]

    def invalidate(self, table: str) -> None:
        for key in [k for k in self.cache if k[0] == table]:
            del self.cache[key]


def import_paths(
    store: Store,
    paths: list[Path],
    rejects_dir: Path,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    options = options or ImportOptions()
    batch_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    results: list[FileResult] = []
    try:
        try:
            files = expand(paths)
        except OSError as exc:  # an unreadable folder
            raise _unexpected(Path(exc.filename or (paths[0] if paths else ".")), exc) from exc
        if not files:
            raise ImportFileError("file_missing", paths[0] if paths else Path("."))
        planned = plan(files, options.table)
    except ImportFileError as exc:
        return ImportResult(batch_id, False, results, exc.message(), exc.vi, exc.en, exc.code)
    for path, contract, _ in planned:
        results.append(FileResult(str(path), contract.table, source_name(path), "pending"))
    unchanged = _unchanged(store, planned)
    batch = store.begin()
    keys: _Keys | None = None
    started_tables: set[str] = set()
    replaced: dict[str, Path] = {}  # tables replaced whole by this batch -> a file of them
    changed: dict[str, Path] = {}  # tables of which some parts were replaced
    # The next file is read (parsed, for Excel and CSV) while this one is validated and stored.
    to_read = [
        path
        for path, _, _ in planned
        if str(path) not in unchanged and not claims_xml.is_claims_xml(path)
    ]
    reader = _Prefetch(to_read)
    try:
        for index, (path, contract, mapping) in enumerate(planned):
            result = results[index]
            if progress:
                progress(f"{contract.table}: {path.name}", index, len(planned))
            if str(path) in unchanged:
                result.status = "unchanged"
                result.snapshot_id = unchanged[str(path)]
                continue
            keys = _Keys(batch, path) if keys is None else keys
            keys.path = path
            whole = contract.load_mode == "full" and contract.table not in started_tables
            file_started = time.perf_counter()
            try:
                _import_one(
                    store,
                    batch,
                    _take(reader, path, contract),
                    path,
                    contract,
                    mapping,
                    whole,
                    keys,
                    batch_id,
                    rejects_dir,
                    options,
                    result,
                )
            except ImportFileError:
                raise
            except Exception as exc:
                raise _unexpected(path, exc) from exc
            result.seconds = round(time.perf_counter() - file_started, 3)
            if whole:
                replaced[contract.table] = path
            elif contract.table not in replaced:
                changed.setdefault(contract.table, path)
            started_tables.add(contract.table)
            keys.invalidate(contract.table)
        if not options.allow_orphans:
            _refuse_orphans(batch, replaced, changed)
        batch.commit()
    except ImportFileError as exc:
        reader.close()
        batch.rollback()
        for r in results:
            if r.status == "imported":
                r.status = "rolled_back"
            if r.path == exc.path:
                r.status = "failed"
        return ImportResult(batch_id, False, results, exc.message(), exc.vi, exc.en, exc.code)
    except BaseException:
        reader.close()
        batch.rollback()
        raise
    reader.close()
    if progress:
        progress("done", len(planned), len(planned))
    return ImportResult(batch_id, True, results)


def _unchanged(
    store: Store, planned: list[tuple[Path, Contract, dict[str, str]]]
) -> dict[str, str]:
    """Files whose exact content is already the current state: path -> snapshot id."""
    from baophu.ingest.readers import file_hash

    snaps = [s for s in store.snapshots().to_pylist() if s["status"] == "current"]
    current = {(s["table_name"], s["source"]): s for s in snaps}
    out: dict[str, str] = {}
    by_table: dict[str, list[Path]] = {}
    for path, contract, _ in planned:
        by_table.setdefault(contract.table, []).append(path)
    for table, paths in by_table.items():
        contract = CONTRACTS[table]
        matches = {}
        for path in paths:
            snap = current.get((table, source_name(path)))
            if snap is not None and snap["file_hash"] == file_hash(path):
                matches[str(path)] = snap["snapshot_id"]
        if contract.load_mode == "parts":
            out.update(matches)
        else:
            # A full extract is unchanged only if the table is exactly these files.
            n_current = sum(1 for (t, _) in current if t == table)
            if len(matches) == len(paths) == n_current:
                out.update(matches)
    return out


class _Prefetch:
    """Reads files one ahead in a background thread (the readers release the GIL)."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.pending: dict[Path, Future[RawFile]] = {}
        self.position = 0

    def _submit_next(self) -> None:
        if self.position < len(self.paths):
            path = self.paths[self.position]
            self.pending[path] = self.pool.submit(read_file, path, all_known_headers())
            self.position += 1

    def take(self, path: Path) -> RawFile:
        if not self.pending:
            self._submit_next()
        future = self.pending.pop(path, None)
        if future is None:  # out of order: read it here
            return read_file(path, all_known_headers())
        self._submit_next()
        return future.result()

    def close(self) -> None:
        for future in self.pending.values():
            future.cancel()
        self.pool.shutdown(wait=True)


def _take(reader: _Prefetch, path: Path, contract: Contract) -> RawFile:
    """The file as read; a claims XML file is read per table (ingest/claims_xml.py)."""
    if claims_xml.is_claims_xml(path):
        return claims_xml.read_table(path, contract.table)
    return reader.take(path)


@dataclass
class _OneFile:
    """One file of a batch while it is imported: where it goes, and what it gave so far."""

    store: Store
    batch: Batch
    raw: RawFile
    path: Path
    contract: Contract
    mapping: dict[str, str]
    whole: bool  # replaces the whole table (else: its own source's part)
    keys: _Keys
    options: ImportOptions
    result: FileResult
    snapshot_id: str
    n_read: int = 0
    n_rejected: int = 0
    n_good: int = 0
    issue_parts: list[pa.Table] = field(default_factory=list)
    # rows whose key repeats in the file, decided once the whole file is read
    held: list[tuple[pa.Table, pa.Array, pa.Array]] = field(default_factory=list)


def _import_one(
    store: Store,
    batch: Batch,
    raw: RawFile,
    path: Path,
    contract: Contract,
    mapping: dict[str, str],
    whole: bool,
    keys: _Keys,
    batch_id: str,
    rejects_dir: Path,
    options: ImportOptions,
    result: FileResult,
) -> None:
    """Validate one file chunk by chunk and append its good rows inside the open batch: the
    empty-file guard, the notices, the chunks, the rows whose key repeats, the rejects file,
    the guards on rejected share and shrink, and the snapshot row."""
    started = _now()
    _guard_empty(store, raw, path, contract, whole, options, result)
    snapshot_id = f"{batch_id}-{raw.file_hash[:8]}"
    if claims_xml.is_claims_xml(path):  # one file, three tables: a snapshot each
        snapshot_id += f"-{contract.table}"
    result.snapshot_id = snapshot_id
    one = _OneFile(
        store, batch, raw, path, contract, mapping, whole, keys, options, result, snapshot_id
    )
    _note_extra_columns(one)
    previous_rows = _previous_rows(store, contract, result.source, whole)
    batch.clear(contract.table, result.source, whole)
    n_bad = len(raw.bad_rows)
    one.n_read, one.n_rejected = n_bad, n_bad
    _append_chunks(one)
    _append_held_duplicates(one)
    issues = _file_issues(one)
    result.rows_read = one.n_read
    result.rows_rejected = one.n_rejected
    result.rows_warned = _warned_rows(issues)
    rejects_path = _write_file_rejects(one, issues, rejects_dir)
    _guard_reject_share(one, rejects_path)
    _shrink_guard(path, previous_rows, one.n_good, options)
    _record_snapshot(one, batch_id, started, rejects_path)
    result.rows_imported = one.n_good
    result.status = "imported"


def _guard_empty(
    store: Store,
    raw: RawFile,
    path: Path,
    contract: Contract,
    whole: bool,
    options: ImportOptions,
    result: FileResult,
) -> None:
    """An empty extract would wipe a register: never a silent success.  An empty part is
    recorded as empty (if the shrink guard allows it)."""
    if raw.num_rows or raw.bad_rows:
        return
    if contract.load_mode == "full":
        raise ImportFileError("file_no_rows", path)
    _shrink_guard(path, _previous_rows(store, contract, result.source, whole), 0, options)
    vi, en = text("file_no_rows")
    raw.notices.append((f"{vi}; phần này được ghi nhận là rỗng", f"{en}; this part is empty"))


def _note_extra_columns(one: _OneFile) -> None:
    """Columns the contract does not know are a notice; the notices go to the result."""
    extras = extra_headers(one.raw.headers, one.mapping)
    if extras:
        one.raw.notices.append(
            text("extra_columns", table=one.contract.table, columns=shown_headers(extras))
        )
    one.result.notices = [f"{vi} / {en}" for vi, en in one.raw.notices]


def _append_chunks(one: _OneFile) -> None:
    """Validate and append the file chunk by chunk; rows whose key repeats are held back.

    While DuckDB (or the Parquet writer) stores chunk N, chunk N+1 is validated: both release
    the GIL.  Only for whole-table loads, whose loop asks the store nothing else once the
    reference keys are cached by the first chunk; parts check other sources per chunk."""
    raw, contract, mapping = one.raw, one.contract, one.mapping
    refused_cells = pa.array(
        sorted({i.row for i in raw.cell_issues if i.severity == "reject"}), pa.int64()
    )
    excel = raw.file_format == "xlsx"
    key_headers = [mapping[k] for k in contract.key if k in mapping]
    dup_keys = duplicated_keys(
        coerce_keys(raw.columns(key_headers), contract, mapping, raw.typed, excel)
    )
    writer = ThreadPoolExecutor(max_workers=1) if one.whole else None
    pending: Future[None] | None = None
    try:
        for chunk in raw.chunks(one.options.chunk_rows):
            table, problems = validate(chunk, contract, mapping, one.keys, one.options.today)
            if not one.whole:
                problems += _other_source_conflicts(
                    one.batch, table, contract, one.result.source, mapping
                )
            rejected = reject_mask(problems, table.num_rows)
            if len(refused_cells):  # a formula without a value: the row's value is unknown
                rejected = pc.or_(rejected, pc.is_in(chunk.rows, value_set=refused_cells))
            one.issue_parts.append(issues_table(problems, chunk.rows))
            one.n_read += table.num_rows
            if len(dup_keys):
                chunk_keys = coerce_keys(chunk.data, contract, mapping, raw.typed, excel)
                repeated = pc.is_in(chunk_keys, value_set=dup_keys)
                one.held.append(
                    (table.filter(repeated), chunk.rows.filter(repeated), rejected.filter(repeated))
                )
                keep = pc.and_(pc.invert(rejected), pc.invert(repeated))
                one.n_rejected += int(pc.sum(pc.and_(rejected, pc.invert(repeated))).as_py() or 0)
            else:
                keep = pc.invert(rejected)
                one.n_rejected += int(pc.sum(rejected).as_py() or 0)
            good = table if bool(pc.all(keep).as_py()) else table.filter(keep)
            one.n_good += good.num_rows
            if pending is not None:
                pending.result()
            args = (contract.table, one.result.source, one.snapshot_id, good)
            if writer is not None:
                pending = writer.submit(one.batch.append, *args)
            else:
                one.batch.append(*args)
        if pending is not None:
            pending.result()
    finally:
        if writer is not None:
            writer.shutdown(wait=True)


def _append_held_duplicates(one: _OneFile) -> None:
    """The rows whose key repeats in the file: the duplicates are rejected, the rest kept."""
    if not one.held:
        return
    table = pa.concat_tables([h[0] for h in one.held])
    rows = pa.chunked_array([h[1] for h in one.held], pa.int64()).combine_chunks()
    rejected = pa.chunked_array([h[2] for h in one.held], pa.bool_()).combine_chunks()
    problems = duplicate_problems(table, one.contract, rows, one.mapping)
    one.issue_parts.append(issues_table(problems, rows))
    drop = pc.or_(rejected, reject_mask(problems, table.num_rows))
    one.n_rejected += int(pc.sum(drop).as_py() or 0)
    good = table.filter(pc.invert(drop))
    one.batch.append(one.contract.table, one.result.source, one.snapshot_id, good)
    one.n_good += good.num_rows


def _file_issues(one: _OneFile) -> pa.Table:
    """Every issue of the file (the rows the reader could not read too), by row and column."""
    parts = one.issue_parts
    issues = pa.concat_tables(parts) if parts else ISSUE_SCHEMA.empty_table()
    return _with_bad_rows(issues, one.raw).sort_by([("row", "ascending"), ("column", "ascending")])


def _warned_rows(issues: pa.Table) -> int:
    warned = issues.filter(pc.equal(issues.column("severity"), "warning"))
    return len(set(warned.column("row").to_pylist()))


def _write_file_rejects(one: _OneFile, issues: pa.Table, rejects_dir: Path) -> Path | None:
    """The file's rejects file, when it has issues."""
    if not issues.num_rows:
        return None
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in one.path.stem)
    rejects_path = write_rejects(
        issues,
        one.path,
        rejects_dir / f"{one.snapshot_id}__{safe}.csv",
        {header: name for name, header in one.mapping.items()},
    )
    one.result.rejects_path = str(rejects_path)
    return rejects_path


def _guard_reject_share(one: _OneFile, rejects_path: Path | None) -> None:
    """A file with too many rejected rows aborts the batch."""
    n_read, n_rejected = one.n_read, one.n_rejected
    if n_read and n_rejected / n_read > one.options.max_reject_share:
        raise ImportFileError(
            "too_many_rejects",
            one.path,
            rejected=n_rejected,
            total=n_read,
            share=f"{n_rejected / n_read:.0%}",
            rejects=rejects_path,
        )


def _record_snapshot(one: _OneFile, batch_id: str, started: str, rejects_path: Path | None) -> None:
    """The file's snapshot row, current once the batch commits."""
    one.batch.record(
        {
            "snapshot_id": one.snapshot_id,
            "batch_id": batch_id,
            "table_name": one.contract.table,
            "source": one.result.source,
            "file_path": str(one.path.resolve()),
            "file_hash": one.raw.file_hash,
            "file_format": one.raw.file_format,
            "rows_read": one.n_read,
            "rows_imported": one.n_good,
            "rows_rejected": one.n_rejected,
            "rows_warned": one.result.rows_warned,
            "rejects_path": str(rejects_path) if rejects_path else None,
            "started_at": started,
            "finished_at": _now(),
            "status": "current",
        }
    )


def _other_source_conflicts(
    batch: Batch,
    table: pa.Table,
    contract: Contract,
    source: str,
    header_of: dict[str, str],
) -> list[Problem]:
    """Keys already held under another file name (parts tables, and full tables split across
    several files of one batch)."""
    key = list(contract.key)
    candidate = table.select(key).append_column(
        "_row", pa.array(np.arange(table.num_rows, dtype=np.int64))
    )
    found = batch.conflicting_keys(contract.table, contract.key, source, candidate)
    if found.num_rows == 0:
        return []
    mask = np.zeros(table.num_rows, dtype=bool)
    other = [None] * table.num_rows
    for pos, src in zip(
        found.column("_row").to_pylist(), found.column("_other_source").to_pylist(), strict=True
    ):
        mask[pos] = True
        other[pos] = src
    key_header = ", ".join(header_of.get(k, k) for k in key)
    from baophu.ingest.validate import key_text_of

    return [
        Problem(
            pa.array(mask),
            key_header,
            key_text_of(table, key),
            "key_in_other_source",
            kwargs={"key": key_header, "other_source": pa.array(other, pa.string())},
        )
    ]


def _with_bad_rows(issues: pa.Table, raw: RawFile) -> pa.Table:
    """The issues of the validator with those the reader found: malformed rows, and cells
    (merged, formulas without values, a last row cut short)."""
    if not raw.bad_rows and not raw.cell_issues:
        return issues
    rows = []
    for issue in raw.cell_issues:
        vi, en = text(issue.code, value=issue.value, **dict(issue.kwargs))
        rows.append(
            {
                "row": issue.row,
                "column": issue.column,
                "value": issue.value,
                "severity": issue.severity,
                "reason_code": issue.code,
                "reason_vi": vi,
                "reason_en": en,
            }
        )
    for line, expected, actual, row_text in raw.bad_rows:
        vi, en = text("bad_row_shape", expected=expected, actual=actual)
        rows.append(
            {
                "row": line,
                "column": "",
                "value": row_text[:200],
                "severity": "reject",
                "reason_code": "bad_row_shape",
                "reason_vi": vi,
                "reason_en": en,
            }
        )
    extra = pa.Table.from_pylist(rows, schema=ISSUE_SCHEMA)
    return pa.concat_tables([issues, extra]).sort_by([("row", "ascending")])


def _previous_rows(store: Store, contract: Contract, source: str, whole: bool) -> int:
    """Rows the import is about to replace (for the shrink guard)."""
    return store.current_rows(contract.table, None if whole else source)


def _shrink_guard(path: Path, old: int, new_rows: int, options: ImportOptions) -> None:
    """Refuse an extract far smaller than the one it replaces (likely a cut or wrong file),
    and any file that leaves a table or part that had rows with none."""
    if options.allow_shrink:
        return
    if old > 0 and new_rows == 0:
        raise ImportFileError("part_emptied", path, old=old)
    if old >= 20 and new_rows < options.shrink_ratio * old:
        raise ImportFileError("shrink_guard", path, new=new_rows, old=old)


def _refuse_orphans(batch: Batch, replaced: dict[str, Path], changed: dict[str, Path]) -> None:
    """Refuse a batch after which data refers to codes its reference tables no longer hold
    (a units file without a hamlet where residents live).  Tables replaced whole by the same
    batch were checked against the new codes when they were validated."""
    order = {t: i for i, t in enumerate(IMPORT_ORDER)}
    for table, path in {**changed, **replaced}.items():
        found: list[str] = []
        lost_codes: set[str] = set()
        for contract in CONTRACTS.values():
            for column in contract.columns:
                if column.references is None or column.references[0] != table:
                    continue
                if contract.table in replaced and order.get(contract.table, 0) > order.get(
                    table, 0
                ):
                    continue
                referring = batch.key_values(contract.table, column.name)
                if len(referring) == 0:
                    continue
                codes = batch.key_values(table, column.references[1])
                lost = pc.filter(referring, pc.invert(pc.is_in(referring, value_set=codes)))
                if len(lost) == 0:
                    continue
                names = sorted(str(v) for v in lost.to_pylist())
                lost_codes.update(names)
                more = f" (+{len(names) - 10})" if len(names) > 10 else ""
                found.append(f"{contract.table}.{column.name}: {', '.join(names[:10])}{more}")
        if found:
            raise ImportFileError(
                "orphans", path, n=len(lost_codes), table=table, orphans="; ".join(found)
            )
