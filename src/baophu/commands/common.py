"""What every ``baophu`` command shares: the console, the common options, bilingual errors,
JSON output, the Vietnamese number/date/percent formats of ``vn.formats`` under the names the
commands use, the progress bar, and opening a workspace (``open_workspace``,
``workspace_store``) with the same exit codes everywhere.

Commands import these instead of redefining them, so a fix (a wrapping rule, a number
format) is made once.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from baophu.vn import formats

if TYPE_CHECKING:
    from baophu.backends import Store
    from baophu.workspace import Workspace

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON / print JSON")]
WorkspaceOpt = Annotated[
    Path, typer.Option("--workspace", "-w", help="Thư mục không gian làm việc / workspace folder")
]

ProgressFn = Callable[[str, int, int], None]


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
def workspace_store(
    path: Path, errors: tuple[type[BaseException], ...] = (), *, read_only: bool = False
) -> Iterator[Store]:
    """The store of the workspace at ``path`` (exit 2 when there is none), closed afterwards;
    an error of the kinds ``errors`` raised inside ends the command with its message (exit 1)."""
    store = open_workspace(path).store(read_only=read_only)
    try:
        yield store
    except errors as exc:
        fail(str(exc))
    finally:
        store.close()


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
