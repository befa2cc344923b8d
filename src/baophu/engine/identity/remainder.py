"""The remainder linkage end to end: ``ensure_remainder_links(store)`` writes three marts.

1. the exact steps (``links.link_enrolments``) run on every enrolment; the rows they leave
   unresolved (no person, not a non-resident) are prepared with the register
   (``remainder_model.prepare_*``) as temporary tables;
2. Splink compares them (``remainder_model.settings``; the m probabilities stated, the u
   probabilities by random sampling on DuckDB, seeded, once the register is large enough to
   sample);
   the scored pairs above the thresholds' floor come back as a small table;
3. ``remainder_model.decide`` takes each row's best candidate: linked, review or unlinked,
   with its weight and a Vietnamese explanation; rows carrying someone else's ID are never
   linked automatically.

Marts: ``enrolment_links`` (one row per row left: ``remainder_model.MART_COLUMNS``),
``enrolment_link_review`` (its rows to review: near-ties, weights between the thresholds,
someone else's ID with a likely owner) and ``enrolment_other_ids`` (rows carrying someone
else's ID).  ``accepted_links(store)`` hands the linked rows to ``links.link_enrolments``
(the ``remainder_linker``), so coverage and the potential lists count them.
Splink is reached through ``store.splink_api()`` (scoring) and
``store.splink_training_api()`` (the u sample, on DuckDB), the one module that knows the
backend.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

import ibis
import pyarrow as pa
from ibis.expr.types import Table
from splink import Linker

from baophu.backends import Store
from baophu.engine.identity.comparisons import (
    candidate_pairs,
    candidate_schema,
    copy_parameters,
)
from baophu.engine.identity.links import RemainderLinker, link_enrolments
from baophu.engine.identity.remainder_model import (
    COMPARED,
    COMPARISONS,
    MART_COLUMNS,
    OTHER_ID_COLUMNS,
    SEED,
    U_MAX_PAIRS,
    U_SAMPLE_MIN,
    Thresholds,
    decide,
    id_owners,
    latest_employers,
    other_id_rows,
    prepare_open_rows,
    prepare_register,
    settings,
)

MART_REMAINDER = "enrolment_links"
MART_REVIEW = "enrolment_link_review"
MART_OTHER_IDS = "enrolment_other_ids"
REMAINDER_MARTS = (MART_REMAINDER, MART_REVIEW, MART_OTHER_IDS)
ROWS_DATASET = "a_enrolments"
REGISTER_DATASET = "b_register"
LINK_METHOD = "probabilistic"

_ROW_COLUMNS = (
    "enrolment_id",
    "person_id",
    "si_code",
    "full_name",
    "sex",
    "birth_date",
    "hamlet_code",
    "employer_code",
    "start_date",
)


def score_candidates(
    store: Store, rows: Table, register: Table, n_register: int, thresholds: Thresholds
) -> pa.Table:
    """The scored pairs at or above ``thresholds.candidate_floor`` (``candidate_schema``).

    The u probabilities are sampled on DuckDB whatever the backend
    (``store.splink_training_api``: Splink's sample is a hash of each record's id in the
    engine's own hash function) and the pairs scored on the backend with them, so DuckDB and
    Spark decide alike."""
    trained = None
    if n_register >= U_SAMPLE_MIN:
        with store.splink_training_api([rows, register]) as (db_api, (rows_name, reg_name)):
            left = db_api.register(rows_name, dataset_display_name=ROWS_DATASET)
            right = db_api.register(reg_name, dataset_display_name=REGISTER_DATASET)
            linker = Linker([left, right], settings(n_register), log_level=logging.ERROR)
            linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=SEED)
            trained = linker._settings_obj
    with store.splink_api() as db_api:
        left = db_api.register(rows.op().name, dataset_display_name=ROWS_DATASET)
        right = db_api.register(register.op().name, dataset_display_name=REGISTER_DATASET)
        linker = Linker([left, right], settings(n_register), log_level=logging.ERROR)
        if trained is not None:
            copy_parameters(trained, linker)
        predictions = linker.inference.predict(
            threshold_match_weight=thresholds.candidate_floor, warning_mode="never"
        )
        table = predictions.as_pyarrow_table()
    return candidate_pairs(table, ROWS_DATASET, COMPARISONS)


def _count(t: Table) -> int:
    return int(t.count().to_pyarrow().as_py())


def open_rows(enrolments: Table, residents: Table, units: Table) -> Table:
    """The enrolment rows the exact steps leave without a person (not the non-residents),
    with ``unlinked_reason`` and the normalised ID's ``person_key`` left out."""
    pre = enrolments.select(*_ROW_COLUMNS)
    linked = link_enrolments(pre, residents, units)
    return linked.filter(linked.person_key.isnull() & ~linked.non_resident).select(
        *_ROW_COLUMNS, "unlinked_reason"
    )


def run_remainder(
    store: Store, reference_date: dt.date, thresholds: Thresholds | None = None
) -> dict[str, Any]:
    """Link what the exact steps left and write the three marts; returns their rows, the
    decisions' counts and the timings."""
    thresholds = thresholds or Thresholds()
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(key: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[key] = round(now - clock, 3)
        clock = now

    stamp = store.stamp(reference_date)
    enrolments, residents, units = (store.table(n) for n in ("enrolments", "residents", "units"))
    with store.temporary_tables() as cache:
        rows = cache(prepare_open_rows(open_rows(enrolments, residents, units), units))
        n_rows = _count(rows)
        lap("open_rows")
        exact = link_enrolments(enrolments.select(*_ROW_COLUMNS), residents, units)
        register = cache(prepare_register(residents, units, latest_employers(exact)))
        n_register = _count(register)
        lap("register")
        owners = cache(id_owners(rows, register))
        candidates = candidate_schema(COMPARISONS).empty_table()
        if n_rows and n_register:
            splink_rows = cache(rows.select("unique_id", *COMPARED))
            candidates = score_candidates(store, splink_rows, register, n_register, thresholds)
        lap("splink")
        decided = cache(decide(rows, ibis.memtable(candidates), owners, thresholds))
        out = {
            MART_REMAINDER: store.write_mart(MART_REMAINDER, decided.select(*MART_COLUMNS), stamp),
            MART_REVIEW: store.write_mart(
                MART_REVIEW,
                decided.filter(decided.decision == "review").select(*MART_COLUMNS),
                stamp,
            ),
            MART_OTHER_IDS: store.write_mart(
                MART_OTHER_IDS, other_id_rows(decided).select(*OTHER_ID_COLUMNS), stamp
            ),
        }
        lap("decide_write")
    return {
        "rows": out,
        "decisions": decision_counts(store),
        "timings_s": timings,
        "thresholds": {
            "link_weight": thresholds.link_weight,
            "review_weight": thresholds.review_weight,
            "tie_margin": thresholds.tie_margin,
        },
    }


def decision_counts(store: Store) -> dict[str, int]:
    """Rows of ``enrolment_links`` per decision, and those carrying someone else's ID."""
    t = store.read_mart(MART_REMAINDER)
    g = t.group_by("decision").aggregate(n=t.count()).to_pyarrow().to_pylist()
    out = {"linked": 0, "review": 0, "unlinked": 0}
    out.update({str(r["decision"]): int(r["n"]) for r in g})
    out["other_id"] = _count(store.read_mart(MART_OTHER_IDS))
    return out


def remainder_is_current(store: Store) -> bool:
    return all(store.mart_is_current(m) for m in REMAINDER_MARTS)


def ensure_remainder_links(store: Store, reference_date: dt.date) -> bool:
    """Write the remainder marts unless they are current; True when they were written."""
    if remainder_is_current(store):
        return False
    run_remainder(store, reference_date)
    return True


def accepted_links(store: Store) -> RemainderLinker | None:
    """The ``remainder_linker`` of ``links.link_enrolments`` that adds the linked rows of a
    current ``enrolment_links`` mart (None when it is missing or stale: the exact steps
    alone then)."""
    if not store.mart_is_current(MART_REMAINDER):
        return None
    links = store.read_mart(MART_REMAINDER)
    accepted = links.filter(links.decision == "linked").select(
        enrolment_id=links.enrolment_id,
        person_key=links.person_key,
        link_method=ibis.literal(LINK_METHOD),
    )

    def linker(open_rows: Table, residents: Table) -> Table:
        return accepted

    return linker
