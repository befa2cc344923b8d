"""``read_config_section``: one section of ``baophu.toml``, read for the workspace and the web
application alike, with one bilingual message for a file that is not TOML."""

from __future__ import annotations

from pathlib import Path

import pytest

from baophu.workspace import WorkspaceError, read_config_section


def test_a_section_and_a_missing_one(tmp_path: Path) -> None:
    path = tmp_path / "baophu.toml"
    path.write_text('[workspace]\nbackend = "duckdb"\n[web]\ntrusted_hosts = ["a"]\n')
    assert read_config_section(path, "workspace", WorkspaceError) == {"backend": "duckdb"}
    assert read_config_section(path, "web", WorkspaceError) == {"trusted_hosts": ["a"]}
    assert read_config_section(path, "other", WorkspaceError) == {}


def test_a_file_that_is_not_toml_raises_the_callers_error(tmp_path: Path) -> None:
    class Mine(Exception):
        pass

    path = tmp_path / "baophu.toml"
    path.write_text("[workspace\n")
    with pytest.raises(Mine, match="tệp cấu hình không hợp lệ / invalid configuration file"):
        read_config_section(path, "workspace", Mine)
