"""The shape of a Splink comparison, shared by the two linkages (the lists' in
``engine.linkage`` and the enrolment remainder's in ``identity.remainder_model``).

A comparison is an ordered list of levels, most specific first, the null level first of all;
each level has a code (kept in the linkage marts), a Vietnamese phrase for the explanation a
person reads, and the Splink level that tests it.  The birth-date comparison is the same in
both linkages (equal, day and month swapped, same month, same year, different); only the
remainder states its m and u probabilities instead of training them.  ``copy_parameters``
moves a model trained on one engine to a linker of another (both linkages train on DuckDB
and score on the workspace's backend); ``link_only_settings`` are both linkages' Splink
settings (rows of one dataset against the register); ``candidate_pairs`` turns Splink's
scored pairs into the rows both linkages decide on (``candidate_schema``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator

SAME_YEAR = "year(birth_date_l) = year(birth_date_r)"


@dataclass(frozen=True)
class Level:
    """A comparison level: its code in the mart, its phrase in an explanation (lower case:
    the explanation capitalises its first letter), the Splink level."""

    code: str
    label_vi: str
    creator: Any  # a splink ComparisonLevelCreator


@dataclass(frozen=True)
class Comparison:
    """One comparison: the mart column of its level, its levels (null level first), and
    whether a source without the column leaves it out (``optional``)."""

    name: str
    column: str
    levels: tuple[Level, ...]
    optional: bool = False

    def gamma_codes(self) -> dict[int, Level]:
        """Splink's comparison vector value of each level: -1 for the null level, then the
        other levels counted down to 0 (the last, ``ELSE``)."""
        null, *rest = self.levels
        out = {-1: null}
        for i, level in enumerate(rest):
            out[len(rest) - 1 - i] = level
        return out

    def splink(self) -> Any:
        return cl.CustomComparison(
            comparison_levels=[level.creator for level in self.levels],
            output_column_name=self.name,
        )


def birth_date_comparison(
    probabilities: dict[str, tuple[float, float]] | None = None,
) -> Comparison:
    """Birth dates: equal, day and month swapped, same year and month, same year, different.
    ``probabilities`` gives a level's (m, u) by its code where they are stated rather than
    trained."""
    stated = probabilities or {}

    def level(code: str, label_vi: str, creator: Any) -> Level:
        if code in stated:
            m, u = stated[code]
            creator = creator.configure(m_probability=m, u_probability=u)
        return Level(code, label_vi, creator)

    return Comparison(
        "birth_date",
        "birth_level",
        (
            Level("missing", "thiếu ngày sinh", cll.NullLevel("birth_date")),
            level("exact", "ngày sinh khớp", cll.ExactMatchLevel("birth_date")),
            level(
                "swapped",
                "ngày sinh đảo ngày/tháng",
                cll.CustomLevel(
                    f"{SAME_YEAR} AND month(birth_date_l) = day(birth_date_r) "
                    "AND day(birth_date_l) = month(birth_date_r)",
                    label_for_charts="day and month swapped",
                ),
            ),
            level(
                "same_month",
                "cùng tháng năm sinh, khác ngày",
                cll.CustomLevel(
                    f"{SAME_YEAR} AND month(birth_date_l) = month(birth_date_r)",
                    label_for_charts="same year and month",
                ),
            ),
            level(
                "same_year",
                "cùng năm sinh, khác ngày tháng",
                cll.CustomLevel(SAME_YEAR, label_for_charts="same year"),
            ),
            level("different", "năm sinh khác", cll.ElseLevel()),
        ),
    )


def copy_parameters(trained: Any, linker: Any) -> None:
    """The m and u probabilities of every level and the prior of ``trained`` (a Splink
    ``Settings``) into ``linker``'s model, whose comparisons are the same ones made for its
    own backend's SQL."""
    linker._settings_obj._probability_two_random_records_match = (
        trained._probability_two_random_records_match
    )
    for source, target in zip(trained.comparisons, linker._settings_obj.comparisons, strict=True):
        for a, b in zip(source.comparison_levels, target.comparison_levels, strict=True):
            if a.is_null_level:
                continue
            b.m_probability = a.m_probability
            b.u_probability = a.u_probability


def candidate_schema(comparisons: Sequence[Comparison]) -> pa.Schema:
    """The columns of ``candidate_pairs``: the row's and the resident's ids, Splink's weight
    and probability, whether the two personal IDs are equal, and one ``gamma_<name>`` per
    comparison."""
    fields = [
        pa.field("unique_id", pa.int64()),
        pa.field("person_key", pa.int64()),
        pa.field("match_weight", pa.float64()),
        pa.field("match_probability", pa.float64()),
        pa.field("id_equal", pa.bool_()),
    ]
    fields += [pa.field(f"gamma_{c.name}", pa.int64()) for c in comparisons]
    return pa.schema(fields)


def candidate_pairs(
    table: pa.Table, rows_dataset: str, comparisons: Sequence[Comparison]
) -> pa.Table:
    """Splink's scored pairs (``table``, columns ``<name>_l`` / ``<name>_r``) with the row of
    ``rows_dataset`` on one side (``unique_id``) and the resident on the other
    (``person_key``), whichever order Splink put them in (``candidate_schema``)."""
    schema = candidate_schema(comparisons)
    if table.num_rows == 0:
        return schema.empty_table()
    rows_left = pc.equal(table["source_dataset_l"], rows_dataset)
    columns = {
        "unique_id": pc.if_else(rows_left, table["unique_id_l"], table["unique_id_r"]),
        "person_key": pc.if_else(rows_left, table["unique_id_r"], table["unique_id_l"]),
        "match_weight": table["match_weight"],
        "match_probability": table["match_probability"],
        "id_equal": pc.fill_null(pc.equal(table["person_id_l"], table["person_id_r"]), False),
        **{f"gamma_{c.name}": table[f"gamma_{c.name}"] for c in comparisons},
    }
    return pa.table({k: v.cast(schema.field(k).type) for k, v in columns.items()}, schema=schema)


def link_only_settings(
    comparisons: Sequence[Comparison], rules: list[Any], n_register: int, **options: Any
) -> SettingsCreator:
    """Splink's settings for linking the rows of one dataset to the register: ``comparisons``
    compared on the pairs that ``rules`` block together, the prior that a pair is a match one
    over the register's size (a row has at most one person there), the compared columns kept
    in the scored pairs, ids in ``unique_id`` and ``source_dataset``; ``options`` add to or
    override them (``em_convergence``, ``retain_intermediate_calculation_columns``)."""
    settings: dict[str, Any] = {
        "link_type": "link_only",
        "comparisons": [c.splink() for c in comparisons],
        "blocking_rules_to_generate_predictions": rules,
        "probability_two_random_records_match": 1.0 / max(n_register, 2),
        "retain_matching_columns": True,
        "unique_id_column_name": "unique_id",
        "source_dataset_column_name": "source_dataset",
    }
    return SettingsCreator(**{**settings, **options})
