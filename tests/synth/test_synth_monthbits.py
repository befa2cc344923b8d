"""Months as bits: the helpers the card simulations decide with, on values worked by hand."""

from __future__ import annotations

import numpy as np

from baophu.synth.dates import month_end, month_index, month_start
from baophu.synth.monthbits import (
    MonthGrid,
    bit_counts,
    bit_flows,
    free_run,
    highest_bit,
    lowest_bit,
    run_around,
    span,
)


def days(*values: str) -> np.ndarray:
    return np.array(values, dtype="datetime64[D]")


def test_span_sets_the_bits_from_lo_to_hi() -> None:
    got = span(np.array([0, 3, 5, -2, 60]), np.array([2, 3, 4, 1, 70]))
    assert [int(x) for x in got] == [0b111, 0b1000, 0, 0b11, (2**64 - 1) - (2**60 - 1)]


def test_lowest_and_highest_bit() -> None:
    masks = np.array([0, 1, 0b101000, 2**63], dtype=np.uint64)
    assert lowest_bit(masks).tolist() == [64, 0, 3, 63]
    assert highest_bit(masks).tolist() == [-1, 0, 5, 63]


def test_free_months_around_and_after_occupied_ones() -> None:
    occupied = np.array([0b1100, 0b1100, 0, 2**64 - 1], dtype=np.uint64)  # months 2 and 3
    first, last = free_run(occupied, np.array([0, 2, -3, 5]), np.array([11, 11, 1, 9]))
    # months 0-1 free; from 2: 4-11 free; before the grid: free; all taken: none (first > hi)
    assert first.tolist() == [0, 4, -3, 10]
    assert last.tolist() == [1, 11, 1, 9]
    first, last = run_around(occupied[:2], 6, np.array([0, 5]), np.array([11, 8]))
    assert first.tolist() == [4, 5] and last.tolist() == [11, 8]


def test_month_grid_touches_and_month_end_force() -> None:
    grid = MonthGrid(np.datetime64("2024-01", "M"))
    start = days("2024-01-15", "2024-02-01", "2024-03-01")
    end = days("2024-03-30", "2024-02-29", "NaT")
    touched = grid.touched(start, end)
    in_force = grid.in_force(start, end)
    assert [int(x) & 0b1111 for x in touched] == [0b111, 0b10, 0b1100]
    # in force on 31/01 and 29/02, not on 31/03 (ended the day before); open: every month on
    assert [int(x) & 0b1111 for x in in_force] == [0b011, 0b10, 0b1100]
    present = grid.present(
        days("2023-05-05", "2024-02-10", "1950-01-01"),
        days("NaT", "NaT", "2024-02-29"),
        days("2024-03-31", "NaT", "NaT"),
        days("NaT", "2024-04-15", "NaT"),
    )
    # died 31/03 (not on that month-end); born 10/02, left 15/04; moved in on 29/02
    assert [int(x) & 0b1111 for x in present] == [0b0011, 0b0110, 0b1110]


def test_counts_and_flows_per_bit() -> None:
    masks = np.array([0b0111, 0b0110, 0b1100, 0], dtype=np.uint64)
    assert bit_counts(masks)[:4].tolist() == [1, 2, 3, 1]
    assert bit_counts(masks, np.array([1, 10, 100, 1000]))[:4].tolist() == [1, 11, 111, 100]
    counts, entering, leaving = bit_flows(masks)
    assert counts[:5].tolist() == [1, 2, 3, 1, 0]
    assert entering[1:5].tolist() == [1, 1, 0, 0]  # bit 1: mask 2; bit 2: mask 3
    assert leaving[1:5].tolist() == [0, 0, 2, 1]  # bit 3: masks 1, 2; bit 4: mask 3


def test_month_index_and_month_bounds() -> None:
    months = month_index(days("1970-01-31", "2024-02-29", "NaT"), last_day=True)
    assert isinstance(months, tuple)
    index, is_last = months
    assert index[:2].tolist() == [0, 54 * 12 + 1] and index[2] >= 10**9
    assert is_last.tolist() == [True, True, False]
    m = np.array(["2024-02", "2023-12"], dtype="datetime64[M]")
    assert month_start(m).tolist() == days("2024-02-01", "2023-12-01").tolist()
    assert month_end(m).tolist() == days("2024-02-29", "2023-12-31").tolist()
