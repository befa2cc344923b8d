"""Decisions on hand-made candidate pairs: linked, review (weak, tie, conflict), unlinked.

Candidates are written here as Splink would return them (a ``gamma_`` value per comparison),
so each rule of ``linkage.decide`` and ``linkage.resolve_conflicts`` is checked alone.
"""

from __future__ import annotations

from typing import Any

import ibis
import pyarrow as pa

from baophu.engine.linkage.model import (
    CONFLICT_VI,
    LINK_COLUMNS,
    NO_CANDIDATE_VI,
    TIE_VI,
    decide,
    resolve_conflicts,
)
from baophu.engine.linkage.settings import Thresholds, comparisons

T = Thresholds(link_weight=6.0, review_weight=0.0, tie_margin=3.0)

# gamma values (see Comparison.gamma_codes): name 5 exact, 4 folded; birth 4 exact, 3 swapped;
# sex 1 exact; commune 2 exact, 0 different; ID 1 near, -1 missing
PERFECT = {
    "gamma_full_name": 5,
    "gamma_birth_date": 4,
    "gamma_sex": 1,
    "gamma_commune": 2,
    "gamma_person_id": -1,
}
FOLDED_SWAPPED = {**PERFECT, "gamma_full_name": 4, "gamma_birth_date": 3}


def _rest(n: int) -> ibis.Table:
    return ibis.memtable(
        {
            "unique_id": list(range(n)),
            "record_id": [f"2026-2027|S1|1A1|{i + 1}" for i in range(n)],
            "period": ["2026-2027"] * n,
        }
    )


def _candidates(rows: list[dict[str, Any]]) -> ibis.Table:
    gammas = [f"gamma_{c.name}" for c in comparisons(False)]
    schema = pa.schema(
        [
            ("unique_id", pa.int64()),
            ("person_key", pa.int64()),
            ("match_weight", pa.float64()),
            ("match_probability", pa.float64()),
            ("id_equal", pa.bool_()),
            *[(g, pa.int64()) for g in gammas],
        ]
    )
    full = [{"id_equal": False, "match_probability": 0.5, **r} for r in rows]
    return ibis.memtable(pa.Table.from_pylist(full, schema=schema))


def _decided(rows: list[dict[str, Any]], n: int) -> dict[int, dict[str, Any]]:
    out = decide(_rest(n), _candidates(rows), T, household=False).to_pyarrow().to_pylist()
    return {int(r["record_id"].rsplit("|", 1)[1]) - 1: r for r in out}


def test_strong_candidate_is_linked_with_its_explanation() -> None:
    d = _decided(
        [{"unique_id": 0, "person_key": 75215000003, "match_weight": 12.5, **FOLDED_SWAPPED}], 1
    )
    row = d[0]
    assert row["decision"] == "linked"
    assert row["person_key"] == 75215000003
    assert row["method"] == "probabilistic"
    assert row["name_level"] == "folded" and row["birth_level"] == "swapped"
    assert row["explanation"] == (
        "Họ tên khớp khi bỏ dấu; ngày sinh đảo ngày/tháng; cùng giới tính; cùng xã; "
        "không có số định danh"
    )


def test_weak_candidate_goes_to_review_and_very_weak_stays_unlinked() -> None:
    d = _decided(
        [
            {"unique_id": 0, "person_key": 1, "match_weight": 3.0, **PERFECT, "gamma_commune": 0},
            {"unique_id": 1, "person_key": 2, "match_weight": -2.0, **PERFECT},
        ],
        3,
    )
    assert d[0]["decision"] == "review"
    assert d[0]["person_key"] is None and d[0]["candidate_key"] == 1
    assert "khác địa bàn" in d[0]["explanation"]
    assert d[1]["decision"] == "unlinked" and d[1]["candidate_key"] == 2
    assert d[2]["decision"] == "unlinked" and d[2]["candidate_key"] is None
    assert d[2]["explanation"] == NO_CANDIDATE_VI
    assert d[2]["match_weight"] is None


def test_two_residents_almost_equal_is_a_review_not_a_guess() -> None:
    d = _decided(
        [
            {"unique_id": 0, "person_key": 11, "match_weight": 14.0, **PERFECT},
            {"unique_id": 0, "person_key": 12, "match_weight": 13.0, **PERFECT},
            {"unique_id": 1, "person_key": 21, "match_weight": 14.0, **PERFECT},
            {"unique_id": 1, "person_key": 22, "match_weight": 9.0, **PERFECT},
        ],
        2,
    )
    assert d[0]["decision"] == "review"
    assert d[0]["candidate_key"] == 11 and d[0]["runner_up_weight"] == 13.0
    assert d[0]["explanation"].endswith(TIE_VI)
    assert d[1]["decision"] == "linked" and d[1]["person_key"] == 21


def test_equal_weights_pick_the_same_candidate_whatever_the_order() -> None:
    rows = [
        {"unique_id": 0, "person_key": 12, "match_weight": 10.0, **PERFECT},
        {"unique_id": 0, "person_key": 11, "match_weight": 10.0, **PERFECT},
    ]
    assert _decided(rows, 1)[0]["candidate_key"] == 11
    assert _decided(rows[::-1], 1)[0]["candidate_key"] == 11
    assert _decided(rows, 1)[0]["decision"] == "review"


def test_equal_id_is_said_so() -> None:
    d = _decided(
        [
            {
                "unique_id": 0,
                "person_key": 5,
                "match_weight": 20.0,
                **PERFECT,
                "gamma_person_id": 1,
                "id_equal": True,
            }
        ],
        1,
    )
    assert "số định danh khớp" in d[0]["explanation"]


def _links(rows: list[tuple[str, int | None, str, str]]) -> ibis.Table:
    """(record_id, person_key, method, decision) rows of one period."""
    data = {c: [] for c in ("record_id", "period", *LINK_COLUMNS[2:])}  # type: dict[str, list[Any]]
    for rid, key, method, decision in rows:
        for c in data:
            data[c].append(None)
        data["record_id"][-1] = rid
        data["period"][-1] = "2026-2027"
        data["person_key"][-1] = key
        data["method"][-1] = method
        data["decision"][-1] = decision
        data["explanation"][-1] = "x"
    schema = pa.schema(
        [
            (c, pa.int64() if c in ("person_key", "candidate_key") else pa.float64())
            if c
            in (
                "person_key",
                "candidate_key",
                "match_weight",
                "match_probability",
                "runner_up_weight",
            )
            else (c, pa.string())
            for c in data
        ]
    )
    return ibis.memtable(pa.table(data, schema=schema))


def test_a_resident_taken_twice_in_one_list_sends_the_model_link_to_review() -> None:
    links = _links(
        [
            ("a", 7, "exact_id", "linked"),
            ("b", 7, "probabilistic", "linked"),
            ("c", 8, "probabilistic", "linked"),
            ("d", 9, "probabilistic", "linked"),
            ("e", 9, "probabilistic", "linked"),
        ]
    )
    out = {r["record_id"]: r for r in resolve_conflicts(links).to_pyarrow().to_pylist()}
    assert out["a"]["decision"] == "linked" and out["a"]["person_key"] == 7
    assert out["b"]["decision"] == "review" and out["b"]["person_key"] is None
    assert out["b"]["explanation"].endswith(CONFLICT_VI)
    assert out["c"]["decision"] == "linked"
    assert out["d"]["decision"] == out["e"]["decision"] == "review"
