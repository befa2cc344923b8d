"""The web application's settings: ``[web]`` in baophu.toml (trusted proxies and host names)
and what ``baophu serve`` answers by default (issue 11, items 8 and 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from baophu.app.config import WebConfig, WebConfigError, read_web_config
from baophu.commands.serve import _allowed_hosts


def _toml(tmp_path: Path, text: str) -> Path:
    (tmp_path / "baophu.toml").write_text(
        '[workspace]\nbackend = "duckdb"\n' + text, encoding="utf-8"
    )
    return tmp_path


def test_the_web_section(tmp_path: Path) -> None:
    root = _toml(
        tmp_path,
        '[web]\ntrusted_proxies = ["127.0.0.1", "10.0.0.0/8"]\n'
        'trusted_hosts = ["baophu.bhxh.dongnai.vn"]\n',
    )
    assert read_web_config(root) == WebConfig(
        trusted_proxies=("127.0.0.1", "10.0.0.0/8"), trusted_hosts=("baophu.bhxh.dongnai.vn",)
    )
    assert read_web_config(_toml(tmp_path, "")) == WebConfig()
    assert read_web_config(tmp_path / "nowhere") == WebConfig()


def test_a_wrong_web_section_is_refused_in_both_languages(tmp_path: Path) -> None:
    with pytest.raises(WebConfigError, match="không biết / unknown"):
        read_web_config(_toml(tmp_path, "[web]\ntrusted_proxy = ['1.2.3.4']\n"))
    with pytest.raises(WebConfigError, match="danh sách chuỗi / must be a list"):
        read_web_config(_toml(tmp_path, "[web]\ntrusted_hosts = [1, 2]\n"))


def test_the_hosts_serve_answers() -> None:
    loopback = ("127.0.0.1", "localhost", "::1")
    assert _allowed_hosts("127.0.0.1", (), ()) == loopback
    assert _allowed_hosts("127.0.0.1", ("baophu.vn",), ()) == ("baophu.vn", *loopback)
    assert _allowed_hosts("192.0.2.8", (), ()) == ("192.0.2.8", *loopback)
    assert _allowed_hosts("0.0.0.0", (), ()) == ("*",)  # says so when it starts
    assert _allowed_hosts("0.0.0.0", (), ("baophu.vn",)) == ("baophu.vn", *loopback)
