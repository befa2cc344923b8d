"""Opening the operational database: URL resolution, engine, sessions, migrations.

``open_operational(workspace)`` resolves ``database_url`` (a relative SQLite path is taken
from the workspace folder), runs the Alembic migrations up to ``head`` and returns an
``OperationalDB`` whose ``session()`` commits on success and rolls back on error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from baophu.operational.models import AuditEvent

if TYPE_CHECKING:
    from baophu.workspace import Workspace

MIGRATIONS = Path(__file__).parent / "migrations"


class OperationalError(Exception):
    """The operational database cannot be opened (message in Vietnamese and English)."""


def resolve_url(database_url: str, root: Path) -> URL:
    """``sqlite:///relative.sqlite`` becomes a file in ``root``; other URLs are kept."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(str(url.database))
        if not path.is_absolute():
            url = url.set(database=str((root / path).resolve()))
    if url.get_backend_name() == "postgresql" and "+" not in url.drivername:
        url = url.set(drivername="postgresql+psycopg")
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, never corrupt
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def make_engine(url: URL | str, **kwargs: Any) -> Engine:
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations on ``engine`` up to ``revision``."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


class OperationalDB:
    """An opened operational database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def connect(cls, url: URL | str, migrate: bool = True, **kwargs: Any) -> OperationalDB:
        try:
            engine = make_engine(url, **kwargs)
            if migrate:
                upgrade(engine)
        except Exception as exc:  # driver errors differ by backend
            safe = make_url(url).render_as_string(hide_password=True)
            raise OperationalError(
                f"Không mở được cơ sở dữ liệu nghiệp vụ {safe} / cannot open the operational "
                f"database {safe}: {exc}"
            ) from exc
        return cls(engine)

    @property
    def backend(self) -> str:
        return self.engine.url.get_backend_name()

    def tables(self) -> list[str]:
        return sorted(inspect(self.engine).get_table_names())

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back if it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def audit(
        self,
        username: str,
        action: str,
        object_: str,
        *,
        role: str | None = None,
        unit_code: str | None = None,
        rows: int | None = None,
        detail: str | None = None,
        session: Session | None = None,
    ) -> None:
        """Write one audit event (in ``session`` when given, so it commits with the work).

        Every event carries a role: the web user's, ``anonymous`` for a failed login, and
        ``command_line`` for what the ``baophu`` commands write.  The detail is masked
        (``vn.masking.mask_text``): no personal ID or phone number lands in the log."""
        from baophu.operational.audit_labels import COMMAND_LINE_ROLE
        from baophu.vn.masking import mask_text

        event_ = AuditEvent(
            at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            username=username[:64],
            role=role or COMMAND_LINE_ROLE,
            action=action,
            object=mask_text(object_)[:200],
            unit_code=unit_code,
            rows=rows,
            detail=None if detail is None else mask_text(detail),
        )
        if session is not None:
            session.add(event_)
            return
        with self.session() as s:
            s.add(event_)

    def add_recorded(
        self,
        session: Session,
        row: Any,
        username: str,
        object_: str,
        *,
        role: str | None,
        unit_code: str | None,
        detail: str,
    ) -> None:
        """Add the newly recorded ``row`` to ``session`` and flush it (so its id is known), with
        its ``record`` audit event for one row in the same transaction."""
        session.add(row)
        session.flush()
        self.audit(
            username,
            "record",
            object_,
            role=role,
            unit_code=unit_code,
            rows=1,
            detail=detail,
            session=session,
        )

    def dispose(self) -> None:
        self.engine.dispose()


def open_operational(workspace: Workspace, migrate: bool = True) -> OperationalDB:
    """The workspace's operational database, migrated to the newest schema."""
    return OperationalDB.connect(
        resolve_url(workspace.config.database_url, workspace.root), migrate=migrate
    )
