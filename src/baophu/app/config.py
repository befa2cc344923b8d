"""The web application's settings in ``baophu.toml`` (section ``[web]``), next to the
workspace's own ``[workspace]`` section:

```toml
[web]
trusted_proxies = ["127.0.0.1"]          # reverse proxies whose X-Forwarded-For is believed
trusted_hosts = ["baophu.bhxh.dongnai.vn"]  # Host names the server answers (others: 400)
```

``baophu serve --trusted-proxy … --trusted-host …`` add to them.  An unknown key is an error
(in Vietnamese and English), as in ``[workspace]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from baophu.workspace import read_config_section

SECTION = "web"
KEYS = ("trusted_proxies", "trusted_hosts")


class WebConfigError(Exception):
    """The ``[web]`` section cannot be read (message in Vietnamese and English)."""


@dataclass(frozen=True)
class WebConfig:
    trusted_proxies: tuple[str, ...] = ()
    trusted_hosts: tuple[str, ...] = ()


def read_web_config(root: Path, name: str = "baophu.toml") -> WebConfig:
    """The ``[web]`` section of the workspace's configuration (empty when absent)."""
    path = root / name
    if not path.exists():
        return WebConfig()
    section = read_config_section(path, SECTION, WebConfigError)
    if not isinstance(section, dict):
        raise WebConfigError(f"{path}: [web] phải là một bảng / [web] must be a table")
    unknown = sorted(set(section) - set(KEYS))
    if unknown:
        raise WebConfigError(
            f"{path}: khoá cấu hình [web] không biết / unknown [web] keys: {', '.join(unknown)}"
        )
    values: dict[str, tuple[str, ...]] = {}
    for key in KEYS:
        value = section.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise WebConfigError(
                f"{path}: [web] {key} phải là danh sách chuỗi / must be a list of strings"
            )
        values[key] = tuple(v.strip() for v in value if v.strip())
    return WebConfig(**values)
