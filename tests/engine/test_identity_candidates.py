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


def test_both_linkages_settings_put_the_prior_at_one_over_the_register() -> None:
    from splink import block_on

    from baophu.engine.identity import birth_date_comparison, link_only_settings

    rules = [block_on("birth_date")]
    made = link_only_settings([birth_date_comparison()], rules, 4_000)
    assert made.link_type == "link_only"
    # one person in 4,000 is the row's
    assert made.probability_two_random_records_match == 1 / 4_000
    assert made.unique_id_column_name == "unique_id"
    assert made.source_dataset_column_name == "source_dataset"
    assert made.retain_matching_columns is True
    assert made.blocking_rules_to_generate_predictions == rules
    assert len(made.comparisons) == 1
    # a register of one (or none): the prior stays a probability below one, 1/2
    assert link_only_settings([], rules, 1).probability_two_random_records_match == 0.5
    assert link_only_settings([], rules, 0).probability_two_random_records_match == 0.5
    # what a linkage adds or changes
    tuned = link_only_settings([], rules, 10, em_convergence=0.001)
    assert tuned.em_convergence == 0.001
    assert tuned.probability_two_random_records_match == 0.1
