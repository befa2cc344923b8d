"""The generator's calendar lookup (``synth.dates.ymd``) against Python's ``datetime``:
inside its four-century table, on both edges, outside it, and for NaT."""

from __future__ import annotations

import datetime as dt

import numpy as np

from baophu.synth.dates import years_between, ymd
from baophu.synth.strings import vn_dates


def _by_python(days: np.ndarray) -> list[tuple[int, int, int]]:
    epoch = dt.date(1970, 1, 1)
    out = []
    for n in days.astype(np.int64):
        d = epoch + dt.timedelta(days=int(n))
        out.append((d.year, d.month, d.day))
    return out


def _check(days: np.ndarray) -> None:
    y, m, d = ymd(days)
    assert list(zip(y.tolist(), m.tolist(), d.tolist(), strict=True)) == _by_python(days)


def test_dates_inside_the_table_and_on_its_edges() -> None:
    rng = np.random.default_rng(5)
    inside = rng.integers(-62_000, 84_000, 5_000).astype("datetime64[D]")
    _check(inside)
    edges = np.array(
        ["1800-01-01", "1800-01-02", "1900-02-28", "2000-02-29", "2199-12-30", "2199-12-31"],
        dtype="datetime64[D]",
    )
    _check(edges)
    _check(edges[::-1])


def test_dates_outside_the_table_are_exact_too() -> None:
    outside = np.array(
        ["1799-12-31", "1600-02-29", "2200-01-01", "2400-02-29", "2024-02-29"],
        dtype="datetime64[D]",
    )
    _check(outside)
    _check(outside[:1])
    _check(outside[2:3])


def test_nat_and_empty() -> None:
    y, m, d = ymd(np.array(["NaT", "2026-12-07"], dtype="datetime64[D]"))
    assert (y.tolist(), m.tolist(), d.tolist()) == ([1970, 2026], [1, 12], [1, 7])
    assert [len(a) for a in ymd(np.array([], dtype="datetime64[D]"))] == [0, 0, 0]


def test_small_arrays_as_the_writers_give_them() -> None:
    # a roster's birth dates and a card's end: the text files show dd/mm/yyyy
    days = np.array(["2019-09-05", "NaT", "1945-09-02"], dtype="datetime64[D]")
    assert vn_dates(days).to_pylist() == ["05/09/2019", None, "02/09/1945"]
    births = np.array(["2000-12-08", "2000-12-07", "1956-02-29"], dtype="datetime64[D]")
    assert years_between(births, np.datetime64("2026-12-07")).tolist() == [25, 26, 70]
