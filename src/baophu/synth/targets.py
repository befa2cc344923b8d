"""The province's 2026 targets from the seeds, scaled to the run.

Counts and denominators are the seeds' figures for Đồng Nai multiplied by the scale (and,
for another province, by its population relative to Đồng Nai's 4.5 million), rounded.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from baophu.synth.context import Context

SOURCE_PLAN = "Kế hoạch phát triển người tham gia BHXH, BHYT, BHTN năm 2026 (seeds)"
SOURCE_RESOLUTION = "Nghị quyết 403/NQ-CP; chỉ tiêu BHYT năm 2026"
# indicator: (target value, denominator at Đồng Nai full scale or None, is a count)
SEED_TARGETS: tuple[tuple[str, float, int | None, bool], ...] = (
    ("bhyt_rate", 0.96, None, False),
    ("compulsory_participants", 1_115_590, 1_174_298, True),
    ("voluntary_participants", 40_100, 1_055_260, True),
    ("bhtn_participants", 1_077_108, 1_133_560, True),
)


def build_targets(ctx: Context, population: int) -> pa.Table:
    """The ``targets`` contract: one row per indicator for the province."""
    year = 2026
    values: list[float] = []
    denominators: list[int] = []
    for indicator, value, denominator, is_count in SEED_TARGETS:
        values.append(float(ctx.scaled(value)) if is_count else value)
        if indicator == "bhyt_rate":
            denominators.append(population)
        else:
            denominators.append(ctx.scaled(denominator or 0))
    n = len(SEED_TARGETS)
    return pa.table(
        {
            "year": pa.array(np.full(n, year, dtype=np.int64)),
            "unit_code": pa.array([ctx.province.code2] * n, pa.string()),
            "indicator": pa.array([t[0] for t in SEED_TARGETS], pa.string()),
            "target_value": pa.array(values, pa.float64()),
            "denominator": pa.array(denominators, pa.int64()),
            "source": pa.array([SOURCE_RESOLUTION] + [SOURCE_PLAN] * (n - 1), pa.string()),
        }
    )
