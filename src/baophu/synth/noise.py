"""Typing noise of hand-made lists: missing or mistyped IDs, names, swapped day and month.

Every function draws which rows get which kind of noise and returns the codes, so that the
truth files can record exactly what was done to each row.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from baophu.synth.strings import fixed_width

ID_NOISE = ("none", "missing", "mistyped", "si_code_only", "someone_elses_id")
ID_NONE, ID_MISSING, ID_MISTYPED, ID_SI_ONLY, ID_OTHER = range(5)
NAME_NOISE = ("none", "no_diacritics", "typo")
BIRTH_NOISE = ("none", "day_month_swapped")


def draw_codes(rng: np.random.Generator, n: int, shares: dict[int, float]) -> np.ndarray:
    """A code per row: each key of ``shares`` with its probability, 0 otherwise."""
    u = rng.random(n)
    out = np.zeros(n, dtype=np.int8)
    edge = 0.0
    for code, share in shares.items():
        out[(u >= edge) & (u < edge + share)] = code
        edge += share
    return out


def id_matrix(ids: pa.Array) -> np.ndarray:
    """An ``(n, 12)`` uint8 matrix of the digits of 12-character IDs (no nulls)."""
    ids = ids.cast(pa.string())
    n = len(ids)
    if n == 0:
        return np.zeros((0, 12), dtype=np.uint8)
    bufs = ids.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int32)[ids.offset : ids.offset + n + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8)
    if not np.all(np.diff(offsets) == 12):
        raise ValueError("IDs must all have 12 characters")
    return data[offsets[0] : offsets[-1]].reshape(n, 12).copy()


def mistype(rng: np.random.Generator, ids: pa.Array) -> pa.StringArray:
    """Each ID with one typing error: two adjacent digits swapped, or one digit changed."""
    m = id_matrix(ids)
    n = len(m)
    rows = np.arange(n)
    pos = rng.integers(0, 11, n)
    a, b = m[rows, pos].copy(), m[rows, pos + 1].copy()
    swap = (rng.random(n) < 0.5) & (a != b)
    m[rows[swap], pos[swap]] = b[swap]
    m[rows[swap], pos[swap] + 1] = a[swap]
    change = ~swap
    digit = m[rows[change], pos[change]] - ord("0")
    m[rows[change], pos[change]] = (digit + rng.integers(1, 10, int(change.sum()))) % 10 + ord("0")
    return fixed_width(m)


def apply_id_noise(rng: np.random.Generator, ids: pa.Array, codes: np.ndarray) -> pa.Array:
    """``ids`` with nulls where the code is missing / si_code_only and typos where mistyped."""
    typo_rows = np.flatnonzero(codes == ID_MISTYPED)
    if len(typo_rows):
        bad = mistype(rng, ids.take(pa.array(typo_rows)))
        pick = np.arange(len(ids), dtype=np.int64)
        pick[typo_rows] = len(ids) + np.arange(len(typo_rows))
        ids = pa.concat_arrays([ids.cast(pa.string()), bad]).take(pa.array(pick))
    null = (codes == ID_MISSING) | (codes == ID_SI_ONLY)
    if null.any():
        ids = pc.if_else(pa.array(null), pa.scalar(None, pa.string()), ids)
    return ids


def swap_day_month(
    rng: np.random.Generator, birth: np.ndarray, share: float
) -> tuple[np.ndarray, np.ndarray]:
    """Dates with day and month swapped in about ``share`` of rows (only where both ≤ 12).

    Returns the new dates and the flag of swapped rows.
    """
    birth = birth.astype("datetime64[D]")
    month = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (birth - birth.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    eligible = (day <= 12) & (day != month)
    p = min(1.0, share / max(eligible.mean(), 1e-9)) if len(birth) else 0.0
    swap = eligible & (rng.random(len(birth)) < p)
    year = birth.astype("datetime64[Y]")
    swapped = (year.astype("datetime64[M]") + (day - 1).astype("timedelta64[M]")).astype(
        "datetime64[D]"
    ) + (month - 1).astype("timedelta64[D]")
    return np.where(swap, swapped, birth), swap
