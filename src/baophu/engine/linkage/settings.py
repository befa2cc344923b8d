"""The probabilistic linkage model as data: comparisons, blocking, training and thresholds.

Owns what Splink is told (nothing here runs a query):

* ``COMPARISONS`` — each comparison is an ordered list of levels, most specific first; every
  level has a code (kept in the ``person_links`` mart), a Vietnamese phrase for the
  explanation a person reads, and the Splink level that tests it.  The columns they read
  are prepared by ``linkage.prepare``: ``name_key`` / ``name_folded`` / ``surname`` /
  ``given_name`` (``identity.names``), ``birth_date``, ``sex``, ``commune_code`` (for a
  resident: the commune of their hamlet) and ``office_code`` (the commune's grassroots
  office: a pupil often goes to school in a neighbouring commune), ``person_id``
  (normalised) and, for household lists, ``household_id``;
* ``prediction_rules`` — blocking rules (OR-ed; Splink drops the pairs an earlier rule
  already made).  They are equalities on columns that are rare together, so the pairs stay
  few at the scale of a province (a pupil meets the residents with the same name and birth
  year, or the same birth date in the same commune, or the same ID);
* ``training_rules`` — the blocks expectation maximisation estimates the m probabilities
  on; a comparison that a block uses is estimated on the other blocks;
* ``Thresholds`` — when a best candidate is linked, sent to review, or left unlinked.

The u probabilities come from random sampling (seeded), the prior from the register's size:
a record of a list is one of the ``n`` residents at most, so two random records match with
probability ``1 / n``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import splink.comparison_level_library as cll
from splink import SettingsCreator, block_on

from baophu.engine.identity import (
    Comparison,
    Level,
    birth_date_comparison,
    link_only_settings,
)

SEED = 20260101
U_MAX_PAIRS = 5e6
EM_CONVERGENCE = 1e-3
M_FLOOR = 1e-3  # no level rarer than 1 in 1,000 among true matches (typing errors happen)


def term_frequency_adjusted(level: Any) -> Any:
    """Term-frequency adjusted on the folded name: "Nguyễn Văn An" agreeing says less than
    a rare name agreeing."""
    return level.configure(tf_adjustment_column="name_folded", tf_adjustment_weight=1.0)


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "full_name",
        "name_level",
        (
            Level("missing", "thiếu họ tên", cll.NullLevel("name_folded")),
            Level("exact", "họ tên khớp", term_frequency_adjusted(cll.ExactMatchLevel("name_key"))),
            Level(
                "folded",
                "họ tên khớp khi bỏ dấu",
                term_frequency_adjusted(cll.ExactMatchLevel("name_folded")),
            ),
            Level(
                "typo", "họ tên gần khớp (sai 1–2 ký tự)", cll.LevenshteinLevel("name_folded", 2)
            ),
            Level(
                "middle_differs",
                "cùng họ và tên, khác tên đệm",
                cll.CustomLevel(
                    "surname_l = surname_r AND given_name_l = given_name_r",
                    label_for_charts="same surname and given name",
                ),
            ),
            Level(
                "given_only",
                "chỉ trùng tên",
                cll.CustomLevel("given_name_l = given_name_r", label_for_charts="same given"),
            ),
            Level("different", "họ tên khác", cll.ElseLevel()),
        ),
    ),
    birth_date_comparison(),
    Comparison(
        "sex",
        "sex_level",
        (
            Level("missing", "thiếu giới tính", cll.NullLevel("sex")),
            Level("exact", "cùng giới tính", cll.ExactMatchLevel("sex")),
            Level("different", "khác giới tính", cll.ElseLevel()),
        ),
    ),
    Comparison(
        "commune",
        "commune_level",
        (
            Level("missing", "thiếu xã", cll.NullLevel("commune_code")),
            Level("exact", "cùng xã", cll.ExactMatchLevel("commune_code")),
            Level(
                "same_office",
                "khác xã nhưng cùng địa bàn BHXH cơ sở",
                cll.ExactMatchLevel("office_code"),
            ),
            Level("different", "khác địa bàn", cll.ElseLevel()),
        ),
    ),
    Comparison(
        "person_id",
        "id_level",
        (
            Level("missing", "không có số định danh", cll.NullLevel("person_id")),
            # one level for "equal or one or two keystrokes away": within the remainder an
            # equal ID is rare (the exact stage took those whose birth date agrees) and
            # would leave a level of its own untrained; the explanation still says which.
            Level("near", "số định danh sai 1–2 chữ số", cll.LevenshteinLevel("person_id", 2)),
            Level("different", "số định danh khác", cll.ElseLevel()),
        ),
    ),
    Comparison(
        "household",
        "household_level",
        (
            Level("missing", "", cll.NullLevel("household_id")),
            Level("exact", "cùng hộ", cll.ExactMatchLevel("household_id")),
            Level("different", "khác hộ", cll.ElseLevel()),
        ),
        optional=True,
    ),
)
LEVEL_COLUMNS: tuple[str, ...] = tuple(c.column for c in COMPARISONS)
ID_EQUAL_VI = "số định danh khớp"


def comparisons(with_household: bool) -> tuple[Comparison, ...]:
    return tuple(c for c in COMPARISONS if with_household or not c.optional)


def prediction_rules(with_household: bool) -> list[Any]:
    rules = [
        block_on("name_folded", "birth_year"),
        block_on("birth_date", "commune_code"),
        block_on("surname", "given_name", "birth_date"),
        block_on("person_key"),
    ]
    if with_household:
        rules.append(block_on("household_id"))
    return rules


def training_rules() -> list[Any]:
    """Three blocks, each estimating what it does not block on: name and commune → birth
    date; birth date and commune → name; name and birth date → commune (all three: sex, ID,
    household).  Blocking on a name with a birth *year* instead lets namesakes born the same
    year pass for matches and spoils the birth-date estimates."""
    return [
        block_on("name_folded", "commune_code"),
        block_on("birth_date", "commune_code"),
        block_on("name_folded", "birth_date"),
    ]


def settings(n_register: int, with_household: bool) -> SettingsCreator:
    return link_only_settings(
        comparisons(with_household),
        prediction_rules(with_household),
        n_register,
        # EM stops when no probability moves by more than 0.001 (Splink's default, 0.0001,
        # takes three times the iterations for changes far below what moves a decision)
        em_convergence=EM_CONVERGENCE,
        retain_intermediate_calculation_columns=True,
    )


@dataclass(frozen=True)
class Thresholds:
    """Decisions on each record's best candidate (match weights in bits: log2 of the odds).

    * ``link_weight`` — at or above: linked (6 bits: odds of 64 to 1, probability ≥ 0.985);
    * ``review_weight`` — at or above but under ``link_weight``: the review list (-3 bits:
      probability ≥ 0.11; on the synthetic province most such best candidates are right,
      so a person confirms them quickly, and few true matches are left unlinked);
    * ``tie_margin`` — a runner-up within this many bits of the best candidate (less than
      8 times less likely) sends the record to review whatever its weight: two residents
      fit almost equally well, a person must choose.
    Anything under ``review_weight`` stays unlinked.
    """

    link_weight: float = 6.0
    review_weight: float = -3.0
    tie_margin: float = 3.0

    @property
    def candidate_floor(self) -> float:
        """Pairs under this weight can change no decision and are not kept."""
        return self.review_weight - self.tie_margin
