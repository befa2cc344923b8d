"""Legal parameters by effective date: load ``parameters.toml`` once, validate it, look values up.

This module owns the parameter file and nothing else: it knows what an entry is, checks that
every entry has a source and an effective date and that the periods of one key never overlap,
and answers "what is the value of KEY on DATE, and by which legal text".  It computes no
amounts; the calculators (``contributions``, ``household``, ``voluntary``, ``interest``,
``retirement``) do.

Periods are inclusive at both ends: an entry is in force on ``on`` when
``effective_from <= on`` and (``effective_to`` is absent or ``on <= effective_to``).

    >>> rules = get_rules()
    >>> rules.value("base_salary", date(2025, 1, 1))
    2340000
"""

from __future__ import annotations

import copy
import functools
import itertools
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from baophu.rules.errors import RuleNotInForceError, RulesFileError, RulesInputError

DEFAULT_PATH = Path(__file__).with_name("parameters.toml")
POLICY_PATH = Path(__file__).with_name("policy.toml")

# A published figure has no status; otherwise: an estimate, a stand-in, or a figure whose
# source (article, document) has not been checked against the legal text.
_STATUSES = ("approximation", "placeholder", "unverified")
_REQUIRED_FIELDS = ("key", "value", "effective_from", "source")
_OPTIONAL_FIELDS = ("effective_to", "unit", "rounding", "status", "note")


@dataclass(frozen=True)
class Param:
    """One dated value of one key, with its legal source."""

    key: str
    value: Any
    effective_from: date
    effective_to: date | None
    source: str
    unit: str = ""
    rounding: str = ""
    status: str = ""  # "" = a published figure; else "approximation", "placeholder", "unverified"
    note: str = ""

    @property
    def approximate(self) -> bool:
        """Not the published figure itself: an estimate or a stand-in."""
        return self.status in ("approximation", "placeholder")

    def in_force(self, on: date) -> bool:
        """True when ``on`` lies in this entry's period (both ends inclusive)."""
        if on < self.effective_from:
            return False
        return self.effective_to is None or on <= self.effective_to

    def as_dict(self) -> dict[str, Any]:
        """A plain dict (ISO dates), e.g. for a period table an engine can join on."""
        return {
            "key": self.key,
            "value": copy.deepcopy(self.value),
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "source": self.source,
            "unit": self.unit,
            "rounding": self.rounding,
            "status": self.status,
            "note": self.note,
        }


def as_date(on: date | datetime | str) -> date:
    """Accept a ``date``, a ``datetime`` (its date is used) or an ISO text ``YYYY-MM-DD``."""
    if isinstance(on, datetime):
        return on.date()
    if isinstance(on, date):
        return on
    if isinstance(on, str):
        try:
            return date.fromisoformat(on.strip())
        except ValueError:
            pass
    raise RulesInputError(
        f"Ngày không hợp lệ: {on!r} (cần dạng YYYY-MM-DD)",
        f"invalid date: {on!r} (expected YYYY-MM-DD)",
    )


def as_year_month(month: date | datetime | str) -> tuple[int, int]:
    """``(year, month)`` from a ``date`` or a text ``YYYY-MM`` / ``YYYY-MM-DD``."""
    if isinstance(month, date):
        return month.year, month.month
    if isinstance(month, str):
        parts = month.strip().split("-")
        if len(parts) in (2, 3) and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
            year, mon = int(parts[0]), int(parts[1])
            if 1 <= mon <= 12 and (len(parts) == 2 or _valid_day(year, mon, int(parts[2]))):
                return year, mon
    raise RulesInputError(
        f"Tháng không hợp lệ: {month!r} (cần dạng YYYY-MM)",
        f"invalid month: {month!r} (expected YYYY-MM)",
    )


def _valid_day(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _file_error(where: str, vi: str, en: str) -> RulesFileError:
    return RulesFileError(f"{where}: {vi}", f"{where}: {en}")


def _parse_entry(raw: Mapping[str, Any], index: int, path: str) -> Param:
    where = f"{path} [[param]] #{index + 1}"
    if not isinstance(raw, Mapping):
        raise _file_error(where, "mục không phải bảng TOML", "entry is not a TOML table")
    key = raw.get("key")
    if isinstance(key, str) and key.strip():
        where = f"{where} ({key})"
    for name in _REQUIRED_FIELDS:
        if name not in raw:
            raise _file_error(where, f"thiếu trường '{name}'", f"missing field '{name}'")
    unknown = sorted(set(raw) - set(_REQUIRED_FIELDS) - set(_OPTIONAL_FIELDS))
    if unknown:
        raise _file_error(
            where, f"trường không xác định: {unknown}", f"unknown field(s): {unknown}"
        )
    if not isinstance(key, str) or not key.strip():
        raise _file_error(
            where, "'key' phải là chuỗi khác rỗng", "'key' must be a non-empty string"
        )
    source = raw["source"]
    if not isinstance(source, str) or not source.strip():
        raise _file_error(
            where, "'source' (văn bản, điều) không được để trống", "'source' must not be empty"
        )
    start = raw["effective_from"]
    end = raw.get("effective_to")
    for name, value in (("effective_from", start), ("effective_to", end)):
        if value is None and name == "effective_to":
            continue
        if isinstance(value, datetime) or not isinstance(value, date):
            raise _file_error(
                where,
                f"'{name}' phải là ngày TOML (YYYY-MM-DD), nhận {value!r}",
                f"'{name}' must be a TOML date (YYYY-MM-DD), got {value!r}",
            )
    if end is not None and end < start:
        raise _file_error(
            where,
            f"effective_to {end} trước effective_from {start}",
            f"effective_to {end} is before effective_from {start}",
        )
    status = raw.get("status", "")
    if status and status not in _STATUSES:
        raise _file_error(
            where,
            f"'status' phải thuộc {_STATUSES}, nhận {status!r}",
            f"'status' must be one of {_STATUSES}, got {status!r}",
        )
    texts = {name: raw.get(name, "") for name in ("unit", "rounding", "note")}
    for name, value in texts.items():
        if not isinstance(value, str):
            raise _file_error(where, f"'{name}' phải là chuỗi", f"'{name}' must be a string")
    return Param(
        key=key.strip(),
        value=raw["value"],
        effective_from=start,
        effective_to=end,
        source=source.strip(),
        unit=texts["unit"],
        rounding=texts["rounding"],
        status=status,
        note=texts["note"],
    )


def _check_periods(key: str, entries: list[Param], path: str) -> None:
    """Raise when two periods of one key overlap (entries sorted by effective_from)."""
    for before, after in itertools.pairwise(entries):
        if before.effective_to is None or before.effective_to >= after.effective_from:
            end = before.effective_to.isoformat() if before.effective_to else "(không hết hạn)"
            end_en = before.effective_to.isoformat() if before.effective_to else "(open-ended)"
            raise RulesFileError(
                f"{path}: '{key}' có hai giai đoạn chồng nhau: {before.effective_from}–{end} "
                f"và từ {after.effective_from}",
                f"{path}: '{key}' has overlapping periods: {before.effective_from}–{end_en} "
                f"and from {after.effective_from}",
            )


class Rules:
    """The legal parameters of one parameter file, looked up by key and date."""

    def __init__(self, version: str, entries: Mapping[str, tuple[Param, ...]], path: str) -> None:
        self._version = version
        self._entries = dict(entries)
        self._path = path

    # -- construction -------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | None = None, version_key: str = "rule_version") -> Rules:
        """Load and validate a parameter file; ``None`` gives the cached default file.
        ``version_key`` names the file's version line (``policy_version`` in the policy
        file)."""
        if path is None:
            return get_rules()
        with Path(path).open("rb") as handle:
            try:
                data = tomllib.load(handle)
            except tomllib.TOMLDecodeError as exc:
                raise RulesFileError(
                    f"{path}: TOML không hợp lệ ({exc})", f"{path}: invalid TOML ({exc})"
                ) from exc
        return cls.from_mapping(data, str(path), version_key)

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], path: str = "<mapping>", version_key: str = "rule_version"
    ) -> Rules:
        """Validate an already-parsed parameter document (what ``tomllib`` returns)."""
        version = data.get(version_key)
        if not isinstance(version, str) or not version.strip():
            raise RulesFileError(
                f"{path}: thiếu '{version_key}' ở đầu tệp",
                f"{path}: missing '{version_key}' at the top of the file",
            )
        raw_entries = data.get("param")
        if not isinstance(raw_entries, list) or not raw_entries:
            raise RulesFileError(
                f"{path}: không có mục [[param]] nào", f"{path}: no [[param]] entries"
            )
        unknown = sorted(set(data) - {version_key, "param"})
        if unknown:
            raise RulesFileError(
                f"{path}: khóa cấp đầu không xác định: {unknown}",
                f"{path}: unknown top-level key(s): {unknown}",
            )
        by_key: dict[str, list[Param]] = {}
        for index, raw in enumerate(raw_entries):
            entry = _parse_entry(raw, index, path)
            by_key.setdefault(entry.key, []).append(entry)
        frozen: dict[str, tuple[Param, ...]] = {}
        for key, entries in by_key.items():
            entries.sort(key=lambda e: e.effective_from)
            _check_periods(key, entries, path)
            frozen[key] = tuple(entries)
        return cls(version.strip(), frozen, path)

    # -- lookups ------------------------------------------------------------------------
    @property
    def version(self) -> str:
        """The ``rule_version`` stamped on every computed figure."""
        return self._version

    @property
    def path(self) -> str:
        """Where the parameters were read from."""
        return self._path

    def keys(self) -> list[str]:
        """All keys, sorted."""
        return sorted(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[Param]:
        """Every entry of every key, keys sorted, periods in order."""
        for key in self.keys():
            yield from self._entries[key]

    def entries(self, key: str) -> tuple[Param, ...]:
        """Every dated entry of ``key`` in date order (raises if the key is unknown)."""
        try:
            return self._entries[key]
        except KeyError:
            raise RuleNotInForceError(
                key,
                None,
                f"Không có tham số '{key}' trong tệp tham số {self._path}",
                f"no parameter '{key}' in the parameter file {self._path}",
            ) from None

    def entry(self, key: str, on: date | datetime | str) -> Param:
        """The entry of ``key`` in force on ``on``."""
        day = as_date(on)
        if key not in self._entries:
            raise RuleNotInForceError(
                key,
                day,
                f"Không có tham số '{key}' (ngày {day.isoformat()}) trong tệp {self._path}",
                f"no parameter '{key}' (date {day.isoformat()}) in the file {self._path}",
            )
        for candidate in self.entries(key):
            if candidate.in_force(day):
                return candidate
        periods = ", ".join(
            f"{e.effective_from}–{e.effective_to or '…'}" for e in self.entries(key)
        )
        raise RuleNotInForceError(
            key,
            day,
            f"Không có giá trị '{key}' có hiệu lực vào ngày {day.isoformat()} "
            f"(các giai đoạn có trong tệp: {periods})",
            f"no value of '{key}' is in force on {day.isoformat()} "
            f"(periods in the file: {periods})",
        )

    def value(self, key: str, on: date | datetime | str) -> Any:
        """The value of ``key`` in force on ``on`` (a copy: lists and tables can be mutated)."""
        return copy.deepcopy(self.entry(key, on).value)

    def source(self, key: str, on: date | datetime | str) -> str:
        """The legal source (document number and article) of the value in force on ``on``."""
        return self.entry(key, on).source

    def latest(self, key: str) -> Param:
        """The most recent entry of ``key`` (the one with the latest effective_from)."""
        return self.entries(key)[-1]

    def periods(self, key: str) -> list[dict[str, Any]]:
        """The dated entries of ``key`` as plain dicts — a small table an engine can join on."""
        return [entry.as_dict() for entry in self.entries(key)]

    def values_on(self, prefix: str, on: date | datetime | str) -> dict[str, Any]:
        """Every key starting with ``prefix`` that has a value in force on ``on``."""
        day = as_date(on)
        found: dict[str, Any] = {}
        for key in self.keys():
            if not key.startswith(prefix):
                continue
            for candidate in self._entries[key]:
                if candidate.in_force(day):
                    found[key] = copy.deepcopy(candidate.value)
                    break
        return found

    def rates_on(self, on: date | datetime | str) -> dict[str, float]:
        """All ``rate.*`` keys in force on ``on`` → their rate (fraction of the wage)."""
        return {key: float(value) for key, value in self.values_on("rate.", on).items()}

    def sources_for(self, keys: list[str], on: date | datetime | str) -> dict[str, str]:
        """``{key: source}`` for the given keys on ``on`` — stamped on calculator results."""
        return {key: self.source(key, on) for key in keys}

    def __repr__(self) -> str:
        return f"Rules(version={self._version!r}, keys={len(self._entries)}, path={self._path!r})"


@functools.lru_cache(maxsize=1)
def get_rules() -> Rules:
    """The default parameter file (``baophu/rules/parameters.toml``), loaded once and cached."""
    return Rules.load(DEFAULT_PATH)


@functools.lru_cache(maxsize=1)
def get_policy() -> Rules:
    """The policy file (``baophu/rules/policy.toml``): the office's choices — list windows,
    disclosure and inspection thresholds, the arrears-ratio ceiling — read by date like the
    legal parameters, versioned by its ``policy_version``."""
    return Rules.load(POLICY_PATH, version_key="policy_version")


def files_in_force() -> tuple[Path, Path]:
    """The parameter and policy files ``get_rules`` and ``get_policy`` read."""
    return DEFAULT_PATH, POLICY_PATH


def use_files(parameters_path: Path, policy_path: Path) -> tuple[Path, Path]:
    """Put these parameter and policy files in force (a test's pinned files, or a worker
    process taking its caller's); returns the ones they replace."""
    global DEFAULT_PATH, POLICY_PATH
    replaced = (DEFAULT_PATH, POLICY_PATH)
    DEFAULT_PATH, POLICY_PATH = Path(parameters_path), Path(policy_path)
    get_rules.cache_clear()
    get_policy.cache_clear()
    return replaced


def resolve(rules: Rules | None) -> Rules:
    """The given rules, or the cached default when ``None`` (used by every calculator)."""
    return rules if rules is not None else get_rules()
