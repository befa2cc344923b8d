"""A workspace: a folder with ``baophu.toml`` that says which backend holds the canonical tables.

``baophu init DIR`` creates one.  Opening a workspace gives a store (see ``backends``) through
which ingest writes and the engine reads, whatever the backend.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import tomli_w

from baophu.backends import Store, StoreConfig, open_store

CONFIG_NAME = "baophu.toml"
Backend = Literal["duckdb", "pyspark"]


class WorkspaceError(Exception):
    """A workspace cannot be created or opened (message in Vietnamese and English)."""


def read_config_section(path: Path, section: str, error: type[Exception]) -> Any:
    """The ``[section]`` of the TOML file ``path`` (``{}`` when it has none); a file that is not
    valid TOML raises ``error`` with a message in Vietnamese and English."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise error(
            f"{path}: tệp cấu hình không hợp lệ / invalid configuration file: {exc}"
        ) from exc
    return raw.get(section, {})


@dataclass
class WorkspaceConfig:
    """What ``baophu.toml`` holds."""

    backend: Backend = "duckdb"
    duckdb_file: str = "baophu.duckdb"
    spark_master: str = "local[2]"
    spark_warehouse: str = "warehouse"
    database_url: str = "sqlite:///operational.sqlite"
    province: str = ""

    @classmethod
    def read(cls, path: Path) -> WorkspaceConfig:
        section = read_config_section(path, "workspace", WorkspaceError)
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(section) - known
        if unknown:
            raise WorkspaceError(
                f"{path}: khoá cấu hình không biết / unknown configuration keys: "
                f"{', '.join(sorted(unknown))}"
            )
        cfg = cls(**section)
        if cfg.backend not in ("duckdb", "pyspark"):
            raise WorkspaceError(
                f"{path}: backend phải là duckdb hoặc pyspark / backend must be duckdb or "
                f"pyspark, not {cfg.backend!r}"
            )
        return cfg

    def write(self, path: Path) -> None:
        path.write_text(tomli_w.dumps({"workspace": asdict(self)}), encoding="utf-8")


def init_workspace(
    directory: Path,
    backend: Backend = "duckdb",
    spark_master: str = "local[2]",
    province: str = "",
    database_url: str | None = None,
) -> Path:
    """Create a workspace folder with its configuration; refuses to overwrite another config."""
    directory.mkdir(parents=True, exist_ok=True)
    config_path = directory / CONFIG_NAME
    cfg = WorkspaceConfig(backend=backend, spark_master=spark_master, province=province)
    if database_url:
        cfg.database_url = database_url
    if config_path.exists():
        existing = WorkspaceConfig.read(config_path)
        if existing.backend != backend:
            raise WorkspaceError(
                f"{config_path}: thư mục đã là không gian làm việc với backend "
                f"{existing.backend} / already a workspace with backend {existing.backend}"
            )
        return config_path
    cfg.write(config_path)
    for sub in ("rejects", "exports", "reports"):
        (directory / sub).mkdir(exist_ok=True)
    return config_path


def find_config(directory: Path) -> Path:
    config_path = directory / CONFIG_NAME
    if not config_path.exists():
        raise WorkspaceError(
            f"{directory}: không phải không gian làm việc (thiếu {CONFIG_NAME}); chạy "
            f"'baophu init {directory}' / not a workspace (no {CONFIG_NAME}); run "
            f"'baophu init {directory}'"
        )
    return config_path


@dataclass
class Workspace:
    """An opened workspace: its folder, configuration and store."""

    root: Path
    config: WorkspaceConfig

    @classmethod
    def open(cls, directory: Path) -> Workspace:
        cfg = WorkspaceConfig.read(find_config(directory))
        return cls(root=directory.resolve(), config=cfg)

    @property
    def rejects_dir(self) -> Path:
        path = self.root / "rejects"
        path.mkdir(exist_ok=True)
        return path

    def store_config(self) -> StoreConfig:
        """What the backends need to know of this workspace."""
        c = self.config
        return StoreConfig(
            root=self.root,
            backend=c.backend,
            duckdb_file=c.duckdb_file,
            spark_master=c.spark_master,
            spark_warehouse=c.spark_warehouse,
        )

    def store(self, read_only: bool = False) -> Store:
        """The backend store (DuckDB file or Spark warehouse) for this workspace;
        ``read_only`` opens the DuckDB file without its write lock."""
        return open_store(self.store_config(), read_only=read_only)
