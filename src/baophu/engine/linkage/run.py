"""Linkage end to end: ``run_linkage(store, sources)`` writes the ``person_links`` mart.

For each list (``linkage.SOURCES``: school rosters, household lists):

1. the list and the register are prepared (``linkage.prepare_*``) and kept as temporary
   tables of the backend;
2. stage 1 links by personal ID with an agreeing birth date (``linkage.exact_links``);
3. stage 2 runs Splink on what is left (``score_candidates``): the model is trained on
   DuckDB whatever the backend (``train_model``: u probabilities by random
   sampling, seeded; m probabilities by expectation maximisation on three blocks,
   ``linkage.settings.training_rules``; the prior from the register's size), so DuckDB and
   Spark decide alike; the pairs are scored on the backend, and those above
   ``Thresholds.candidate_floor`` come back as a small table;
4. ``linkage.decide`` picks each row's best candidate and decides; conflicts within a list
   and period go to review (``linkage.resolve_conflicts``).

``person_links`` holds every row of every list computed (one row per list row); a run for
one list keeps the other list's rows when they were computed from the same imported state.
Splink is reached through ``store.splink_api()`` (scoring) and
``store.splink_training_api()`` (training), the one module that knows the backend.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from typing import Any

import ibis
import pyarrow as pa
from ibis.expr.types import Table

from baophu.backends import Store
from baophu.contracts.progress import Progress
from baophu.engine.identity import candidate_pairs, candidate_schema, copy_parameters
from baophu.engine.linkage.model import (
    COMPARED,
    LINK_COLUMNS,
    SOURCES,
    decide,
    exact_links,
    prepare_residents,
    prepare_source,
    remainder,
    source_links,
)
from baophu.engine.linkage.settings import (
    M_FLOOR,
    SEED,
    U_MAX_PAIRS,
    Thresholds,
    comparisons,
    settings,
    training_rules,
)

MART_LINKS = "person_links"
LIST_DATASET = "a_list"
REGISTER_DATASET = "b_register"


class LinkageError(Exception):
    """Linkage cannot run (message in Vietnamese and English)."""


def _count(t: Table) -> int:
    return int(t.count().to_pyarrow().as_py())


def score_candidates(
    store: Store,
    rest: Table,
    register: Table,
    n_register: int,
    household: bool,
    thresholds: Thresholds,
) -> tuple[pa.Table, dict[str, Any]]:
    """Stage 2 with Splink on the backend's temporary tables ``rest`` (the list rows left)
    and ``register`` (the prepared residents).

    The model is trained once, on DuckDB (``train_model``), and the pairs are
    scored on the workspace's backend with it: the same lists give the same model, and so
    the same decisions, on DuckDB and on Spark.  Returns the candidate pairs at or above
    ``thresholds.candidate_floor`` (``identity.candidate_schema``) and what training
    found (m and u of every level, the EM sessions' iteration counts)."""
    from splink import Linker

    trained, sessions = train_model(store, rest, register, n_register, household)
    with store.splink_api() as db_api:
        left = db_api.register(rest.op().name, dataset_display_name=LIST_DATASET)
        right = db_api.register(register.op().name, dataset_display_name=REGISTER_DATASET)
        linker = Linker([left, right], settings(n_register, household), log_level=logging.ERROR)
        copy_parameters(trained, linker)
        predictions = linker.inference.predict(
            threshold_match_weight=thresholds.candidate_floor, warning_mode="never"
        )
        table = predictions.as_pyarrow_table()
        model = _model_summary(linker, household)
    candidates = candidate_pairs(table, LIST_DATASET, comparisons(household))
    return candidates, {"levels": model, "em_sessions": sessions}


def train_model(
    store: Store, rest: Table, register: Table, n_register: int, household: bool
) -> tuple[Any, list[dict[str, Any]]]:
    """The linkage model trained on ``rest`` (the list rows left) against ``register``
    (the prepared residents), on DuckDB whatever the backend
    (``store.splink_training_api``): u probabilities by random sampling (seeded), m
    probabilities by expectation maximisation on the training blocks, then floored
    (``floor_m_probabilities``).  Returns the trained settings (Splink's ``Settings``,
    detached from the engine) and the EM sessions."""
    from splink import Linker
    from splink.internals.exceptions import SplinkException

    with store.splink_training_api([rest, register]) as (db_api, (rest_name, register_name)):
        left = db_api.register(rest_name, dataset_display_name=LIST_DATASET)
        right = db_api.register(register_name, dataset_display_name=REGISTER_DATASET)
        linker = Linker([left, right], settings(n_register, household), log_level=logging.ERROR)
        linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=SEED)
        sessions: list[dict[str, Any]] = []
        for rule in training_rules():
            # A block with few or no pairs (a short list) can make EM fail (no pairs, or an
            # m probability that underflows); the model then keeps what it had.  Splink
            # drops the blocked-on comparisons from the model it is given before training
            # and puts them back only on success, so the model is restored by hand.
            model = linker._settings_obj.core_model_settings.copy()
            try:
                session = linker.training.estimate_parameters_using_expectation_maximisation(
                    rule, estimate_without_term_frequencies=True
                )
            except (ValueError, ZeroDivisionError, SplinkException) as exc:
                linker._settings_obj.core_model_settings = model
                sessions.append({"iterations": 0, "error": str(exc).splitlines()[0][:200]})
                continue
            history = getattr(session, "_lambda_history_records", [])
            sessions.append({"iterations": len(history)})
        floor_m_probabilities(linker, M_FLOOR)
        return linker._settings_obj, sessions


def floor_m_probabilities(linker: Any, floor: float) -> None:
    """Raise every level's m probability to at least ``floor`` (the others scaled down to
    keep the sum 1).

    Expectation maximisation on clean lists finds that, among true matches, a sex or a
    commune never disagrees, and a disagreement would then veto any link (a weight of -80
    bits).  Real lists have typing errors in every field, so no level is allowed to be
    rarer than ``floor`` among matches: one wrong field costs at most about 10 bits."""
    for comparison in linker._settings_obj.comparisons:
        levels = [lv for lv in comparison.comparison_levels if not lv.is_null_level]
        m = [lv.m_probability for lv in levels]
        if any(v is None for v in m):
            continue
        low = [i for i, v in enumerate(m) if v < floor]
        if not low:
            continue
        spare = 1.0 - floor * len(low)
        rest = sum(v for i, v in enumerate(m) if i not in low)
        for i, level in enumerate(levels):
            level.m_probability = floor if i in low else m[i] * spare / rest


def _model_summary(linker: Any, household: bool) -> list[dict[str, Any]]:
    """m, u and match weight of every level, for the report and the docs."""
    out = []
    for comp in linker._settings_obj.comparisons:
        for level in comp.comparison_levels:
            if level.is_null_level:
                continue
            out.append(
                {
                    "comparison": comp.output_column_name,
                    "level": level.label_for_charts,
                    "gamma": level.comparison_vector_value,
                    "m": level.m_probability,
                    "u": level.u_probability,
                    "weight": level._match_weight,
                }
            )
    return out


def _kept_rows(store: Store, computed: Sequence[str]) -> Table | None:
    """The rows of lists not computed now, when the mart is from the current state."""
    entry = store.mart_entry(MART_LINKS)
    if entry is None or entry.state_id != store.state_id():
        return None
    old = store.read_mart(MART_LINKS)
    keep = old.filter(~old.source.isin(list(computed)))
    return keep.select(*LINK_COLUMNS)


def run_linkage(
    store: Store,
    sources: Sequence[str] | None = None,
    thresholds: Thresholds | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Link ``sources`` (default: every list) to the register and write ``person_links``.

    Returns ``rows`` (of the mart), ``counts`` (per source: rows per method and decision),
    ``timings_s`` and ``training`` (per source: the model's levels with m, u and weight)."""
    names = list(sources or SOURCES)
    unknown = [n for n in names if n not in SOURCES]
    if unknown:
        raise LinkageError(
            f"Danh sách không liên kết được: {', '.join(unknown)} / unknown list: "
            f"{', '.join(unknown)} (school_rosters, household_classifications)"
        )
    thresholds = thresholds or Thresholds()
    timings: dict[str, float] = {}
    training: dict[str, Any] = {}
    clock = time.perf_counter()
    total = 1 + 2 * len(names) + 1
    done = 0

    def step(label: str, key: str) -> None:
        nonlocal clock, done
        now = time.perf_counter()
        timings[key] = round(now - clock, 3)
        clock = now
        done += 1
        if progress is not None:
            progress(label, done, total)

    stamp_ = store.stamp(dt.date.today())
    with store.temporary_tables() as cache:
        # the kept rows are read before the mart is replaced
        kept = _kept_rows(store, names)
        if kept is not None:
            kept = cache(kept)
        register = cache(prepare_residents(store.table("residents"), store.table("units")))
        n_register = _count(register)
        if n_register == 0:
            raise LinkageError(
                "Chưa có dữ liệu dân cư (residents) / the population register is empty"
            )
        step("Dữ liệu dân cư / register", "register")
        parts: list[Table] = []
        for name in names:
            source = SOURCES[name]
            prepared = cache(
                prepare_source(store.table(source.table), source, store.table("units"))
            )
            exact = cache(exact_links(prepared, register))
            rest = cache(remainder(prepared, exact))
            n_rest = _count(rest)
            step(f"{name}: số định danh / by ID", f"{name}_exact")
            if n_rest:
                splink_input = cache(rest.select("unique_id", *COMPARED))
                candidates, training[name] = score_candidates(
                    store,
                    splink_input,
                    register,
                    n_register,
                    source.household,
                    thresholds,
                )
            else:
                candidates = candidate_schema(comparisons(source.household)).empty_table()
            decided = decide(rest, ibis.memtable(candidates), thresholds, source.household)
            parts.append(cache(source_links(exact, decided, name, source.household)))
            step(f"{name}: xác suất / probabilistic", f"{name}_probabilistic")
        if kept is not None:
            parts.append(kept)
        expr = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
        rows = store.write_mart(MART_LINKS, expr, stamp_)
        step("Ghi kết quả / mart", "write")
    return {
        "rows": rows,
        "counts": link_counts(store),
        "timings_s": timings,
        "training": training,
        "thresholds": {
            "link_weight": thresholds.link_weight,
            "review_weight": thresholds.review_weight,
            "tie_margin": thresholds.tie_margin,
        },
    }


def link_counts(store: Store) -> dict[str, dict[str, int]]:
    """Per source: ``linked_exact``, ``linked_probabilistic``, ``review``, ``unlinked``,
    ``rows``."""
    links = store.read_mart(MART_LINKS)
    g = (
        links.group_by("source", "method", "decision")
        .aggregate(n=links.count())
        .to_pyarrow()
        .to_pylist()
    )
    out: dict[str, dict[str, int]] = {}
    for r in g:
        c = out.setdefault(
            r["source"],
            {"linked_exact": 0, "linked_probabilistic": 0, "review": 0, "unlinked": 0, "rows": 0},
        )
        if r["decision"] == "linked":
            key = "linked_exact" if r["method"] == "exact_id" else "linked_probabilistic"
        else:
            key = r["decision"]
        c[key] += int(r["n"])
        c["rows"] += int(r["n"])
    return dict(sorted(out.items()))
