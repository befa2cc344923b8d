"""What every ``baophu`` command shares: the console, bilingual errors, the date and month
parsers of the common options (which are in ``commands.options``), JSON output, the Vietnamese
number/date/percent formats of ``vn.formats`` under the names the commands use, Rich tables
with text left and figures right (``table_of``, ``columns_table``), the progress bar, and
opening a workspace (``open_workspace``, ``workspace_store``) or its operational database
(``operational_db``) with the same exit codes everywhere.

Commands import these instead of redefining them, so a fix (a wrapping rule, a number
format) is made once.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, overload

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from baophu.contracts.progress import Progress as ProgressFn
from baophu.vn import formats

if TYPE_CHECKING:
    from baophu.backends import Store
    from baophu.operational.db import OperationalDB
    from baophu.workspace import Workspace

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


def fail(message_vi: str, message_en: str | int | None = None, code: int = 1) -> NoReturn:
    """Print an error on stderr and exit; a message that is already bilingual comes alone.

    ``fail("vi / en", 2)`` is accepted too (the exit code in second place).
    """
    if isinstance(message_en, int):
        code, message_en = message_en, None
    text = message_vi if message_en is None else f"{message_vi} / {message_en}"
    err_console.print(f"[bold red]Lỗi / Error:[/] {escape(text)}", highlight=False)
    raise typer.Exit(code)


def open_workspace(path: Path) -> Workspace:
    """The workspace at ``path``; a missing or broken one ends the command with exit code 2
    and the workspace's own bilingual message."""
    from baophu.workspace import Workspace, WorkspaceError

    try:
        return Workspace.open(path)
    except WorkspaceError as exc:
        fail(str(exc), 2)


@contextmanager
def failing_on(errors: tuple[type[BaseException], ...], code: int = 1) -> Iterator[None]:
    """An error of the kinds ``errors`` raised inside ends the command with its own
    (bilingual) message and exit code ``code``."""
    try:
        yield
    except errors as exc:
        fail(str(exc), code)


@contextmanager
def workspace_store(
    path: Path, errors: tuple[type[BaseException], ...] = (), *, read_only: bool = False
) -> Iterator[Store]:
    """The store of the workspace at ``path`` (exit 2 when there is none), closed afterwards;
    an error of the kinds ``errors`` raised inside ends the command with its message (exit 1)."""
    store = open_workspace(path).store(read_only=read_only)
    try:
        with failing_on(errors):
            yield store
    finally:
        store.close()


@overload
def parse_date(text: str) -> dt.date: ...
@overload
def parse_date(text: str | None) -> dt.date | None: ...
def parse_date(text: str | None) -> dt.date | None:
    """The date of a ``--date``-like option, YYYY-MM-DD with spaces around ignored (None for
    None); anything else ends the command with exit code 2."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        fail(
            f"Ngày không hợp lệ: {text!r} (cần dạng YYYY-MM-DD) / invalid date: {text!r} "
            "(expected YYYY-MM-DD)",
            2,
        )


def parse_month(text: str) -> dt.date:
    """The first day of the month of a ``--month`` option, YYYY-MM (a day after it is
    ignored, the month may have one digit); anything else ends the command with exit code 2."""
    try:
        year, month = (int(p) for p in text.strip().split("-")[:2])
        return dt.date(year, month, 1)
    except ValueError:
        fail(
            f"Tháng không hợp lệ: {text!r} (cần dạng YYYY-MM) / invalid month: {text!r} "
            "(expected YYYY-MM)",
            2,
        )


@contextmanager
def operational_db(
    workspace: Workspace | Path, errors: tuple[type[BaseException], ...] = (), code: int = 1
) -> Iterator[OperationalDB]:
    """The operational database (users, targets set by hand, reviews, field outcomes) of a
    workspace, open or given by its folder (a missing one: exit 2), disposed afterwards; an
    unreachable database ends the command with its message (exit 1), and so does an error of
    the kinds ``errors`` raised inside (exit ``code``)."""
    from baophu.operational.db import OperationalError, open_operational

    ws = open_workspace(workspace) if isinstance(workspace, Path) else workspace
    try:
        db = open_operational(ws)
    except OperationalError as exc:
        fail(str(exc))
    try:
        with failing_on(errors, code):
            yield db
    finally:
        db.dispose()


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")


def fmt_int(value: Any) -> str:
    """Vietnamese thousands grouping, rounded half away from zero: 1.115.590 ('' for None)."""
    return formats.number(value)


def fmt_pct(value: Any, digits: int = 1) -> str:
    """A fraction as a Vietnamese percentage: 0.943 → 94,3% ('' for None)."""
    return formats.percent(value, digits)


def fmt(value: Any) -> str:
    """Vietnamese display: 1.234.567 for whole numbers, 1.234,57 for others, dd/mm/yyyy for
    dates, có/không for booleans, '' for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, int):
        return formats.number(value)
    if isinstance(value, float):
        return formats.number(value, 2)
    if isinstance(value, dt.date):
        return formats.date(value)
    return str(value)


def fmt_cell(value: Any, kind: str) -> str:
    """A cell of a ``columns_table``: ``int`` a whole number, ``pct`` a percentage, else the
    text (a date as dd/mm/yyyy, '' for None)."""
    if kind == "int":
        return fmt_int(value)
    if kind == "pct":
        return fmt_pct(value)
    if isinstance(value, dt.date):
        return formats.date(value)
    return "" if value is None else str(value)


def table_of(
    title: str | None,
    headers: Iterable[str],
    *,
    left: Collection[str] | None = None,
    right: Collection[str] = (),
    **options: Any,
) -> Table:
    """A Rich table with a column per header: the headers in ``left`` (the text) aligned
    left and the others (the figures) right; without ``left``, those in ``right`` aligned
    right and the others left.  ``options`` go to ``Table`` (``show_lines``…)."""
    table = Table(title=title, **options)
    for header in headers:
        at_left = header in left if left is not None else header not in right
        table.add_column(header, justify="left" if at_left else "right")
    return table


def columns_table(
    title: str,
    columns: Sequence[tuple[str, str, str]],
    rows: Iterable[dict[str, Any]],
    style: Callable[[dict[str, Any]], str | None] | None = None,
) -> Table:
    """A table of ``rows`` by ``columns`` (key, header, kind: ``text``, ``int`` or ``pct``,
    see ``fmt_cell``): text left, figures right; ``style`` gives a row's Rich style."""
    text = [header for _, header, kind in columns if kind == "text"]
    table = table_of(title, [header for _, header, _ in columns], left=text)
    for row in rows:
        cells = [fmt_cell(row.get(key), kind) for key, _, kind in columns]
        table.add_row(*cells, style=style(row) if style else None)
    return table


def activity_of(store: Any) -> Callable[[], tuple[int, int] | None] | None:
    """The store's own progress (Spark's running stages) for ``progress_bar``; None for a
    backend that reports none (DuckDB)."""
    return store.activity if getattr(store, "backend", "") == "pyspark" else None


@contextmanager
def progress_bar(
    enabled: bool = True, activity: Callable[[], tuple[int, int] | None] | None = None
) -> Iterator[ProgressFn]:
    """A Rich progress bar fed by (step, done, total) callbacks; silent under --json.

    ``activity`` (a store's ``activity``) adds a second bar, the backend's own work (Spark's
    running stages: tasks done of tasks), polled twice a second in place of Spark's console
    progress."""
    if not enabled:
        yield lambda step, done, total: None
        return
    with Progress(
        TextColumn("[bold blue]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as progress:
        task = progress.add_task("…", total=1)

        def update(step: str, done: int, total: int) -> None:
            progress.update(task, description=step[:60], completed=done, total=max(total, 1))

        if activity is None:
            yield update
            return
        stop = threading.Event()
        tasks = progress.add_task("Spark", total=1)

        def poll() -> None:
            while not stop.wait(0.5):
                try:
                    now = activity()
                except Exception:
                    now = None
                done, total = now if now else (0, 0)
                label = "Spark: tác vụ / tasks" if total else "Spark: chờ / idle"
                progress.update(tasks, description=label, completed=done, total=max(total, 1))

        poller = threading.Thread(target=poll, name="baophu-spark-progress", daemon=True)
        poller.start()
        try:
            yield update
        finally:
            stop.set()
            poller.join(timeout=2)
