"""How the web application reads the marts: a private copy per computed state.

DuckDB lets one process hold the workspace file read-write, and a process holding it even
read-only stops ``baophu import`` or ``baophu coverage`` from opening it.  So the server never
keeps the workspace file open.  A watcher thread looks at the file's size and modification
time every second; when they changed and then stayed still for a moment, it opens the file
read-only, copies the marts (and the few small canonical tables the pages need: units,
collectors, agents, officers, the snapshot history) into a DuckDB file of its own, closes
the workspace file and swaps the copy in.  The copy takes about a second at scale 1.0, the
only time the server holds the workspace file.  When a command holds the file, the server
keeps serving the previous copy and tries again a second later.  The copy is keyed by the
marts' stamps (``_marts``) and the import state, so a change that touched no mart costs
nothing; caches of one process on one workspace share the copy of a key (``_SHARED``).

On the PySpark backend the marts and tables are Parquet files named by the manifest; the
same copy is made with DuckDB's Parquet reader, and the manifest's modification time plays
the part of the file's.

Pages query the copy through ``MartSnapshot.rows`` (plain SQL with parameters, a cursor per
call so threads never share one); report builders that take a store (notices, lists) get
``MartSnapshot.store()``, an Ibis view of the copy with the store's reading methods.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb

from baophu.backends import SNAPSHOT_SCHEMA, Store

T = TypeVar("T")

if TYPE_CHECKING:
    from baophu.workspace import Workspace

# Marts too large or not read by any page (everything else is copied, so marts added by
# later engine steps reach the pages without a change here).
SKIPPED_MARTS = frozenset(
    {
        "enrolments_linked",
        "linked_spells",
        "targets_phased",
        "potential_list",
        "person_links",
        "claim_flags",
        "nation_cross_province",  # named people across provinces: no page shows them
    }
)
# Canonical tables the pages read (small: hierarchies and the import history).
TABLES = ("units", "agents", "collectors", "officers", "facilities")
# Sort order of large marts in the copy: filters on the first column then skip most blocks.
SORT_KEYS = {
    "employer_arrears": "employer_code, month",
    "coverage_series": "unit_code, reference_date",
}
# The potential lists are read by place (office, commune, hamlet) and by owner, in the order
# the lists are worked (priority, household…): the copy adds the place, that order as one
# number, and the communes each owner has rows in, and is sorted by place so a page of one
# commune reads only that commune's blocks.
PERSONS_ORDER = "priority, household_priority, hamlet_code, household_id, full_name, row_key"
PERSONS_SQL = (
    'CREATE TABLE "mart_potential_persons" AS SELECT *, '
    "coalesce(hamlet_code, commune_code) AS place, "
    f"row_number() OVER (ORDER BY {PERSONS_ORDER}) AS ord FROM {{source}} "
    "ORDER BY office_code, commune_code, place, ord"
)
OWNERS_SQL = (
    "CREATE TABLE potential_owner_communes AS SELECT DISTINCT owner_type, owner_code, "
    "commune_code FROM mart_potential_persons"
)
QUIET_SECONDS = 0.5  # a changed file must stay still this long before it is copied
RETIRE_SECONDS = 30.0  # an old copy stays open this long for requests still reading it
RESULTS_KEPT = 4096  # query results kept per copy
COPY_MEMORY = os.environ.get("BAOPHU_WEB_COPY_MEMORY", "2GB")
READ_MEMORY = os.environ.get("BAOPHU_WEB_READ_MEMORY", "512MB")


# Copies shared by the caches of one process, by workspace and key (marts' stamps and import
# state): applications on one workspace (the tests make dozens, each with its own operational
# database) copy each computed state once, not once each.  A copy is closed and deleted when
# its last holder lets go of it.
_SHARED_LOCK = threading.Lock()
_SHARED: dict[tuple[str, str], MartSnapshot] = {}


def _take_shared(source: Path, key: str) -> MartSnapshot | None:
    """The process's copy of ``source`` with ``key``, held once more, if there is one."""
    with _SHARED_LOCK:
        found = _SHARED.get((str(source.resolve()), key))
        if found is not None:
            found.holders += 1
        return found


def _share(source: Path, snapshot: MartSnapshot) -> MartSnapshot:
    """Offer ``snapshot`` (just made, held once) to the process's other caches."""
    shared_key = (str(source.resolve()), snapshot.key)
    with _SHARED_LOCK:
        if shared_key not in _SHARED:  # else another cache made the same copy meanwhile
            _SHARED[shared_key] = snapshot
            snapshot.shared_key = shared_key
    return snapshot


class MartsUnavailable(Exception):
    """No copy of the marts could be made yet (the workspace is busy or has no marts)."""


class MartSnapshot:
    """One private copy of the marts, read-only for the pages."""

    def __init__(
        self,
        path: Path,
        stamps: dict[str, dict[str, Any]],
        state_id: str,
        key: str,
    ) -> None:
        self.path = path
        self.stamps = stamps
        self.state_id = state_id
        self.key = key
        self.loaded_at = time.time()
        self.holders = 1  # caches holding it (``close`` by each lets go once)
        self.shared_key: tuple[str, str] | None = None
        self.con = duckdb.connect(
            str(path),
            read_only=True,
            config={"memory_limit": READ_MEMORY},
        )
        self.con.execute("SET enable_progress_bar = false")
        self._local = threading.local()
        self._lock = threading.Lock()
        self._results: OrderedDict[tuple[str, tuple[Any, ...]], list[dict[str, Any]]] = (
            OrderedDict()
        )
        self.tables = {
            r[0]
            for r in self.con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        self._memo: dict[tuple[Any, ...], Any] = {}

    # ----------------------------------------------------------------- what it holds
    def has(self, mart: str) -> bool:
        return f"mart_{mart}" in self.tables

    def has_table(self, name: str) -> bool:
        return name in self.tables

    def reference_date(self, mart: str = "coverage_by_unit") -> str | None:
        stamp = self.stamps.get(mart)
        return None if stamp is None else str(stamp.get("reference_date"))

    def stale(self, mart: str) -> bool:
        """Whether ``mart`` was computed from an import state older than the current one."""
        stamp = self.stamps.get(mart)
        return stamp is not None and stamp.get("state_id") != self.state_id

    def columns(self, table: str) -> list[str]:
        return [
            r[0]
            for r in self._cursor()
            .execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "ORDER BY ordinal_position",
                [table],
            )
            .fetchall()
        ]

    # ----------------------------------------------------------------------- reading
    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self.con.cursor()
            self._local.cursor = cur
        return cur

    def rows(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """The rows of a query (copies: a caller may change them).  The copy never changes,
        so results are kept (least recently used first out): a page asked again is not
        queried again."""
        key = (sql, tuple(params))
        with self._lock:
            hit = self._results.get(key)
            if hit is not None:
                self._results.move_to_end(key)
        if hit is None:
            cur = self._cursor().execute(sql, list(params))
            names = [d[0] for d in cur.description or []]
            hit = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
            with self._lock:
                self._results[key] = hit
                while len(self._results) > RESULTS_KEPT:
                    self._results.popitem(last=False)
        return [dict(r) for r in hit]

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """``compute()`` once for this copy (it never changes), kept under ``key``."""
        with self._lock:
            if key in self._memo:
                return self._memo[key]  # type: ignore[no-any-return]
        value = compute()  # outside the lock: two first askers may both compute it
        with self._lock:
            return self._memo.setdefault(key, value)  # type: ignore[no-any-return]

    def one(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> dict[str, Any] | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def scalar(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else next(iter(row.values()), None)

    def store(self) -> SnapshotStore:
        """The copy seen as a store (marts as Ibis tables) for report builders."""
        return SnapshotStore(self)

    def close(self) -> None:
        """Let go of the copy; the last holder closes it and deletes its file (and the
        folder it was made in, once empty)."""
        with _SHARED_LOCK:
            self.holders -= 1
            if self.holders > 0:
                return
            if self.shared_key is not None and _SHARED.get(self.shared_key) is self:
                del _SHARED[self.shared_key]
        with contextlib.suppress(Exception):
            self.con.close()
        with contextlib.suppress(OSError):
            self.path.unlink()
            Path(f"{self.path}.wal").unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.path.parent.rmdir()  # only when empty: its cache may copy there again


class SnapshotStore(Store):
    """What the report builders ask of a store, answered from a copy (read-only): the
    store's typed mart API (``read_mart``, ``has_mart``, ``mart_entry``…) over the copy."""

    backend = "snapshot"

    def __init__(self, snapshot: MartSnapshot) -> None:
        self.snapshot = snapshot
        self._ibis: Any = None  # made on first use: a page answered from ``memo`` needs none

    def ibis(self) -> Any:
        if self._ibis is None:
            import ibis

            self._ibis = ibis.duckdb.from_connection(self.snapshot.con.cursor())
        return self._ibis

    def marts(self) -> list[dict[str, Any]]:
        return [dict(v, mart=k) for k, v in sorted(self.snapshot.stamps.items())]

    def mart(self, name: str) -> Any:
        return self.ibis().table(f"mart_{name}")

    def table(self, name: str) -> Any:
        return self.ibis().table(name)

    def state_id(self) -> str:
        return self.snapshot.state_id

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        return self.snapshot.memo(key, compute)

    def close(self) -> None:
        if self._ibis is not None:
            with contextlib.suppress(Exception):
                self._ibis.disconnect()

    def __enter__(self) -> SnapshotStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _quote(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _state_id(snapshot_ids: list[str]) -> str:
    """The same identity ``Store.state_id`` gives (a hash of the current snapshot ids)."""
    return hashlib.sha256("\n".join(sorted(snapshot_ids)).encode()).hexdigest()[:16]


class MartCache:
    """The current copy of a workspace's marts, refreshed by a watcher thread.

    ``workspace_lock`` is held while the workspace file is open in this process (copying, or a
    write the application makes: an import, an allocation); jobs take it too, so the copy never
    races the application's own writes.
    """

    def __init__(self, workspace: Workspace, poll_seconds: float = 1.0) -> None:
        self.workspace = workspace
        self.poll_seconds = poll_seconds
        self.workspace_lock = threading.RLock()
        self._swap_lock = threading.Lock()
        self._current: MartSnapshot | None = None
        self._retired: list[tuple[float, MartSnapshot]] = []
        self._seen: tuple[Any, ...] | None = None
        self._changed_at = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._dir = Path(tempfile.mkdtemp(prefix="baophu-web-"))
        self._counter = 0
        self.last_error: str | None = None
        self.busy_since: float | None = None
        self.last_copy: dict[str, float] = {}  # seconds the workspace file was held, in all

    # -------------------------------------------------------------------- public
    def get(self) -> MartSnapshot:
        """The current copy; the first call makes one (waiting up to 10 s for a busy file)."""
        current = self._current
        if current is not None:
            return current
        deadline = time.monotonic() + 10
        while True:
            if self.refresh(force=True) or self._current is not None:
                break
            if time.monotonic() > deadline:
                raise MartsUnavailable(self.last_error or "marts unavailable")
            time.sleep(0.2)
        assert self._current is not None
        return self._current

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._watch, name="baophu-marts", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        with self._swap_lock:
            for _, old in self._retired:
                old.close()
            self._retired.clear()
            if self._current is not None:
                self._current.close()
                self._current = None
        self._seen = None
        with _SHARED_LOCK:  # a copy another cache still holds is deleted by its last holder
            in_use = any(s.path.parent == self._dir for s in _SHARED.values())
        if not in_use:
            shutil.rmtree(self._dir, ignore_errors=True)

    def refresh(self, force: bool = False) -> bool:
        """Copy the marts again when they changed (always when ``force``); whether a copy
        is in place afterwards.  Never raises: a busy workspace keeps the previous copy."""
        fingerprint = self._fingerprint()
        if not force and fingerprint == self._seen:
            return self._current is not None
        try:
            with self.workspace_lock:
                made = self._copy()
        except (duckdb.IOException, duckdb.Error, OSError) as exc:
            self.last_error = str(exc)
            if self.busy_since is None:
                self.busy_since = time.time()
            return self._current is not None
        self._seen = fingerprint
        self.last_error = None
        self.busy_since = None
        if made is not None:
            self._swap(made)
        return self._current is not None

    # ------------------------------------------------------------------ internals
    def _watch(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            self._retire_old()
            fingerprint = self._fingerprint()
            if fingerprint == self._seen:
                continue
            now = time.monotonic()
            if getattr(self, "_pending", None) != fingerprint:
                self._pending = fingerprint
                self._changed_at = now
                continue
            if now - self._changed_at >= QUIET_SECONDS:
                self.refresh()

    def _fingerprint(self) -> tuple[Any, ...]:
        paths = self._watched_paths()
        out: list[Any] = []
        for p in paths:
            try:
                st = p.stat()
                out.append((st.st_mtime_ns, st.st_size))
            except OSError:
                out.append(None)
        return tuple(out)

    def _watched_paths(self) -> list[Path]:
        cfg = self.workspace.config
        if cfg.backend == "pyspark":
            return [self.workspace.root / cfg.spark_warehouse / "_manifest.json"]
        main = self.workspace.root / cfg.duckdb_file
        return [main, Path(f"{main}.wal")]

    def _swap(self, made: MartSnapshot) -> None:
        with self._swap_lock:
            old, self._current = self._current, made
            if old is not None:
                self._retired.append((time.monotonic(), old))

    def _retire_old(self) -> None:
        now = time.monotonic()
        with self._swap_lock:
            keep = []
            for at, old in self._retired:
                if now - at > RETIRE_SECONDS:
                    old.close()
                else:
                    keep.append((at, old))
            self._retired = keep

    def _next_path(self) -> Path:
        self._dir.mkdir(parents=True, exist_ok=True)
        self._counter += 1
        return self._dir / f"marts-{os.getpid()}-{self._counter}.duckdb"

    def _copy(self) -> MartSnapshot | None:
        if self.workspace.config.backend == "pyspark":
            return self._copy_spark()
        return self._copy_duckdb()

    def _copy_duckdb(self) -> MartSnapshot | None:
        source = self.workspace.root / self.workspace.config.duckdb_file
        if not source.exists():
            raise MartsUnavailable(f"{source} does not exist")
        target = self._next_path()
        started = time.perf_counter()
        con = duckdb.connect(str(target), config={"memory_limit": COPY_MEMORY})
        try:
            con.execute("SET enable_progress_bar = false")
            con.execute(f"ATTACH {_quote(source)} AS src (READ_ONLY)")
            try:
                present = {
                    r[0]
                    for r in con.execute(
                        "SELECT table_name FROM information_schema.tables "
                        "WHERE table_catalog = 'src'"
                    ).fetchall()
                }
                stamps: dict[str, dict[str, Any]] = {}
                if "_marts" in present:
                    for row in con.execute("SELECT * FROM src._marts").fetchall():
                        mart, rows, state, ref, version, at = row[:6]
                        stamps[mart] = {
                            "rows": rows,
                            "state_id": state,
                            "reference_date": ref,
                            "rule_version": version,
                            "computed_at": at,
                        }
                snapshot_ids = (
                    [
                        r[0]
                        for r in con.execute(
                            "SELECT snapshot_id FROM src._snapshots WHERE status = 'current'"
                        ).fetchall()
                    ]
                    if "_snapshots" in present
                    else []
                )
                state = _state_id(snapshot_ids)
                key = json.dumps([state, sorted(stamps.items())], default=str, sort_keys=True)
                current = self._current
                if current is not None and current.key == key:
                    con.execute("DETACH src")
                    con.close()
                    target.unlink(missing_ok=True)
                    return None
                shared = _take_shared(source, key)
                if shared is not None:
                    con.execute("DETACH src")
                    con.close()
                    target.unlink(missing_ok=True)
                    return shared
                for mart in sorted(stamps):
                    if mart in SKIPPED_MARTS or f"mart_{mart}" not in present:
                        continue
                    if mart == "potential_persons":  # ordered after the file is released
                        con.execute(
                            "CREATE TABLE _raw_persons AS SELECT * FROM "
                            'src."mart_potential_persons"'
                        )
                        continue
                    order = f" ORDER BY {SORT_KEYS[mart]}" if mart in SORT_KEYS else ""
                    con.execute(
                        f'CREATE TABLE "mart_{mart}" AS SELECT * FROM src."mart_{mart}"{order}'
                    )
                for table in TABLES:
                    if table in present:
                        con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM src."{table}"')
                if "_snapshots" in present:
                    con.execute("CREATE TABLE _snapshots AS SELECT * FROM src._snapshots")
            finally:
                with contextlib.suppress(duckdb.Error):
                    con.execute("DETACH src")
            held = time.perf_counter() - started
            # the workspace file is closed: the slow part (ordering the lists) blocks nobody
            if "_raw_persons" in {r[0] for r in con.execute("SHOW TABLES").fetchall()}:
                con.execute(PERSONS_SQL.format(source="_raw_persons"))
                con.execute("DROP TABLE _raw_persons")
                con.execute(OWNERS_SQL)
            con.execute("CHECKPOINT")
        except BaseException:
            con.close()
            target.unlink(missing_ok=True)
            raise
        con.close()
        self.last_copy = {
            "file_held_s": round(held, 2),
            "total_s": round(time.perf_counter() - started, 2),
        }
        return _share(source, MartSnapshot(target, stamps, state, key))

    def _copy_spark(self) -> MartSnapshot | None:
        root = self.workspace.root / self.workspace.config.spark_warehouse
        manifest_path = root / "_manifest.json"
        if not manifest_path.exists():
            raise MartsUnavailable(f"{manifest_path} does not exist")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        stamps = {
            name: {k: v for k, v in entry.items() if k not in ("dir", "spark_schema")}
            for name, entry in manifest.get("marts", {}).items()
        }
        snapshot_ids = [
            s["snapshot_id"] for s in manifest.get("snapshots", []) if s["status"] == "current"
        ]
        state = _state_id(snapshot_ids)
        key = json.dumps([state, sorted(stamps.items())], default=str, sort_keys=True)
        if self._current is not None and self._current.key == key:
            return None
        shared = _take_shared(manifest_path, key)
        if shared is not None:
            return shared
        target = self._next_path()
        con = duckdb.connect(str(target), config={"memory_limit": COPY_MEMORY})
        try:
            con.execute("SET enable_progress_bar = false")
            for name, entry in manifest.get("marts", {}).items():
                if name in SKIPPED_MARTS:
                    continue
                files = sorted(str(p) for p in (root / entry["dir"]).rglob("*.parquet"))
                if not files:
                    continue
                if name == "potential_persons":
                    listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
                    con.execute(PERSONS_SQL.format(source=f"read_parquet([{listed}])"))
                    con.execute(OWNERS_SQL)
                    continue
                con.execute(f'CREATE TABLE "mart_{name}" AS SELECT * FROM read_parquet(?)', [files])
            for table in TABLES:
                parts = manifest.get("tables", {}).get(table, {})
                files = [str(root / f) for p in parts.values() for f in p["files"]]
                if files:
                    con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM read_parquet(?)', [files])
            snaps = manifest.get("snapshots", [])
            if snaps:
                import pyarrow as pa

                snap_table = pa.Table.from_pylist(snaps, schema=SNAPSHOT_SCHEMA)
                con.register("_snap_in", snap_table)
                con.execute("CREATE TABLE _snapshots AS SELECT * FROM _snap_in")
                con.unregister("_snap_in")
            con.execute("CHECKPOINT")
        except BaseException:
            con.close()
            target.unlink(missing_ok=True)
            raise
        con.close()
        return _share(manifest_path, MartSnapshot(target, stamps, state, key))


@contextlib.contextmanager
def writable_store(cache: MartCache, attempts: int = 20) -> Iterator[Any]:
    """The workspace's store opened read-write by the application (an import, an allocation):
    the cache's lock is held so the watcher does not copy meanwhile; a command holding the
    file makes this wait up to ``attempts`` × 0.5 s, then raise ``MartsUnavailable``."""
    with cache.workspace_lock:
        store = None
        for i in range(attempts):
            try:
                store = cache.workspace.store()
                break
            except duckdb.IOException as exc:
                if i == attempts - 1:
                    raise MartsUnavailable(str(exc)) from exc
                time.sleep(0.5)
        assert store is not None
        try:
            yield store
        finally:
            store.close()
    cache.refresh(force=True)


@contextlib.contextmanager
def readonly_store(cache: MartCache, attempts: int = 10) -> Iterator[Any]:
    """The workspace's store opened read-only for a computation that writes nothing (the
    preview of an allocation); waits like ``writable_store`` for a busy file."""
    with cache.workspace_lock:
        store = None
        for i in range(attempts):
            try:
                store = cache.workspace.store(read_only=True)
                break
            except duckdb.IOException as exc:
                if i == attempts - 1:
                    raise MartsUnavailable(str(exc)) from exc
                time.sleep(0.5)
        assert store is not None
        try:
            yield store
        finally:
            store.close()
