"""Splink's scored pairs as the rows both linkages decide on (``identity.candidate_pairs``):
the row of the named dataset on one side whichever order Splink put the pair in, by hand."""

from __future__ import annotations

import pyarrow as pa

from baophu.engine.identity import Comparison, candidate_pairs, candidate_schema

COMPARISONS = (Comparison("name", "name_level", ()), Comparison("sex", "sex_level", ()))


def test_the_row_is_unique_id_and_the_resident_person_key_in_either_order() -> None:
    scored = pa.table(
        {
            "source_dataset_l": ["rows", "register"],
            "unique_id_l": pa.array([11, 900], pa.int64()),
            "unique_id_r": pa.array([901, 12], pa.int64()),
            "person_id_l": ["001", None],
            "person_id_r": ["001", "002"],
            "match_weight": [7.5, -1.0],
            "match_probability": [0.99, 0.3],
            "gamma_name": pa.array([3, 0], pa.int32()),
            "gamma_sex": pa.array([1, -1], pa.int32()),
        }
    )
    got = candidate_pairs(scored, "rows", COMPARISONS)
    assert got.schema == candidate_schema(COMPARISONS)
    assert got.to_pylist() == [
        {
            "unique_id": 11,
            "person_key": 901,
            "match_weight": 7.5,
            "match_probability": 0.99,
            "id_equal": True,
            "gamma_name": 3,
            "gamma_sex": 1,
        },
        {
            "unique_id": 12,
            "person_key": 900,
            "match_weight": -1.0,
            "match_probability": 0.3,
            "id_equal": False,  # a missing ID is not equal
            "gamma_name": 0,
            "gamma_sex": -1,
        },
    ]


def test_no_pairs_give_the_empty_table_of_the_schema() -> None:
    got = candidate_pairs(pa.table({"source_dataset_l": pa.array([], pa.string())}), "rows", ())
    assert got.num_rows == 0
    assert got.schema.names == [
        "unique_id",
        "person_key",
        "match_weight",
        "match_probability",
        "id_equal",
    ]
