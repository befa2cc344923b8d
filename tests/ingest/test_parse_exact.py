"""``ingest.problems.parse_exact``: dates and times read in the first format that fits, and
nothing from a date ``strptime`` would roll over (31/02)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from baophu.ingest.problems import parse_exact

DATES = [("%Y-%m-%d", r"^\d{4}-\d{2}-\d{2}$"), ("%d/%m/%Y", r"^\d{2}/\d{2}/\d{4}$")]


def test_the_first_fitting_format_and_no_rolled_over_date() -> None:
    text = pa.array(["2025-03-04", "04/03/2025", "31/02/2025", "2025/03/04", None, ""])
    assert parse_exact(text, DATES).cast(pa.date32()).to_pylist() == [
        dt.date(2025, 3, 4),
        dt.date(2025, 3, 4),
        None,  # no 31 February, not 3 March
        None,  # a shape no format has
        None,
        None,
    ]


def test_times_in_microseconds_checked_at_whole_seconds() -> None:
    formats = [("%d/%m/%Y %H:%M", r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$")]
    text = pa.array(["04/03/2025 07:30", "30/02/2025 07:30", "04/03/2025 25:00"])
    got = parse_exact(text, formats, unit="us")
    assert got.type == pa.timestamp("us")
    assert got.to_pylist() == [dt.datetime(2025, 3, 4, 7, 30), None, None]
