"""The synthetic nation's cross-province people: ``link_nation(out, seed, as_of)`` makes the
two sides of a commute name the same person, and writes ``OUT/truth/cross_province.parquet``.

Each province is generated on its own, so a province A holds rows of its residents' enrolments
held in another province B (``enrol_province_code`` = B, an ``employer_code`` like
``DV79…`` that exists nowhere), while B holds its own non-resident commuters under fresh
identities that live nowhere.  This pass, run by ``generate_nation`` once every province is
written, pairs them:

1. **Collect** (one province's files at a time): the *home* candidates — residents of A with
   enrolment rows held in B (from ``truth/enrolments.parquet``), their identity from
   ``truth/persons.parquet``, whether they are *active* on ``as_of`` (a row in force and
   still in A's register: not dead, not moved out) and the schemes in force; the *work*
   candidates — B's non-residents with rows held in B (commuters; the few non-resident pupils
   are never paired), active or not, their schemes and their employer in B.
2. **Pair**, for each work province B, its commuters with the home candidates of every other
   province whose rows are employment held in B: first within the same state and the same
   schemes in force (active with {BHXH, BHYT, BHTN} with active with {BHXH, BHYT, BHTN},
   ended with ended …), then within the same state alone; in each group both sides sorted by
   birth date and the larger side thinned at random, so that ages stay close.  Deterministic
   for a seed (``rng([seed, 15, B])``).
3. **Rewrite** (one province at a time): in B, a paired commuter takes the resident's identity
   (``person_id``, ``si_code``, ``full_name``, ``sex``, ``birth_date``) in
   ``inputs/enrolments.parquet`` and ``truth/persons.parquet``, and the resident's ID in every
   truth table that names people (``truth/enrolments.parquet``, ``employments``,
   ``potential``, ``quality_faults``); in A, the rows held in B of a paired resident name the
   commuter's employer in B (and so does the out-of-province job in
   ``truth/employments.parquet``).  Every row held across a border (A's rows held elsewhere,
   B's rows of non-residents) is written with its holder's exact identifiers: these rows are
   the national database's, checked against the population database, so the identifier noise
   of the province files stays on the province's own rows (``truth/enrolments.parquet``
   ``id_noise`` says ``none`` for them).  The sample forms and the agents' money files, which
   are drawn from ``inputs/enrolments.parquet``, are drawn again (same seed, same order as
   the generator) so that the D02-LT workbooks name the new identities.

Unpaired people stay as they are — realistic noise: residents working in a province whose
commuters ran out (``no_commuter_left``), commuters no resident is left for
(``no_resident_left``), pupils registered elsewhere (``pupil_away`` on A's side,
``pupil_non_resident`` on B's), rows held in a province the nation does not hold
(``work_province_absent``) — and every person is one row of ``cross_province.parquet``.
Claims are generated for residents only, so no claim names a commuter.

Memory: only the cross-province rows (a few per cent of a province's rows) are kept between
provinces; a province's enrolment file is read and written once, alone.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from baophu.synth.agents_money import write_agents_money
from baophu.synth.forms import write_forms

TRUTH_FILE = "cross_province.parquet"
IDENTITY = ("person_id", "si_code", "full_name", "sex", "birth_date")
# truth tables that name people by ID (besides persons and enrolments, rewritten in full)
PERSON_ID_TRUTH = ("employments", "potential", "quality_faults")
EMPLOYMENT = "employment"
STUDENT = "student"

TRUTH_SCHEMA = pa.schema(
    [
        ("home_province_code", pa.string()),
        ("work_province_code", pa.string()),
        ("person_id", pa.string()),
        ("si_code", pa.string()),
        ("full_name", pa.string()),
        ("kind", pa.string()),
        ("home_side", pa.bool_()),
        ("work_side", pa.bool_()),
        ("home_active", pa.bool_()),
        ("work_active", pa.bool_()),
        ("home_schemes", pa.string()),
        ("work_schemes", pa.string()),
        ("employer_code", pa.string()),
        ("paired", pa.bool_()),
        ("reason", pa.string()),
        ("generated_person_id", pa.string()),
    ]
)


@dataclass
class Candidates:
    """The cross-province people of the nation, collected province by province."""

    home: list[pd.DataFrame] = field(default_factory=list)
    work: list[pd.DataFrame] = field(default_factory=list)


def _on(day: dt.date) -> pa.Scalar:
    return pa.scalar(day, pa.date32())


def _active(t: pa.Table, as_of: dt.date) -> pa.ChunkedArray:
    start, end = t.column("start_date"), t.column("end_date")
    return pc.and_(
        pc.fill_null(pc.less_equal(start, _on(as_of)), False),
        pc.fill_null(pc.or_kleene(pc.is_null(end), pc.greater_equal(end, _on(as_of))), False),
    )


def _schemes(values: pd.Series) -> str:
    return ";".join(sorted(set(values)))


def _collect(folder: Path, code: str, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A province's home candidates (its residents' rows held elsewhere, one row per person
    and province) and work candidates (non-residents with rows held here, one per person)."""
    truth = pq.read_table(
        folder / "truth" / "enrolments.parquet",
        columns=[
            "enrolment_id",
            "true_person_id",
            "resident",
            "scheme",
            "start_date",
            "end_date",
            "enrol_province_code",
            "source",
        ],
    )
    here = pc.equal(truth.column("enrol_province_code"), code)
    cross = truth.filter(pc.or_(pc.invert(here), pc.invert(truth.column("resident"))))
    cross = cross.append_column("active", _active(cross, as_of))
    employers = pq.read_table(
        folder / "inputs" / "enrolments.parquet", columns=["enrolment_id", "employer_code"]
    )
    employers = employers.filter(
        pc.is_in(employers.column("enrolment_id"), value_set=cross.column("enrolment_id"))
    )
    rows = cross.to_pandas().merge(employers.to_pandas(), on="enrolment_id", how="left")
    ids = pa.array(rows["true_person_id"].unique(), pa.string())
    persons = pq.read_table(
        folder / "truth" / "persons.parquet",
        columns=[*IDENTITY, "commuter", "death_date", "moved_out_date"],
    )
    persons = persons.filter(pc.is_in(persons.column("person_id"), value_set=ids)).to_pandas()
    day = pd.Timestamp(as_of)
    gone = (pd.to_datetime(persons["death_date"]) <= day) | (
        pd.to_datetime(persons["moved_out_date"]) <= day
    )
    persons["in_register"] = ~gone
    persons = persons.drop(columns=["death_date", "moved_out_date"])

    out = rows[rows["resident"] & (rows["enrol_province_code"] != code)]
    home = _grouped(out, ["true_person_id", "enrol_province_code"])
    home = home.merge(persons, left_on="true_person_id", right_on="person_id", how="left")
    home["active"] = home["active"] & home["in_register"].fillna(False)
    home = home.rename(columns={"enrol_province_code": "work_province_code"})
    home["home_province_code"] = code

    non_res = rows[~rows["resident"] & (rows["enrol_province_code"] == code)]
    work = _grouped(non_res, ["true_person_id"])
    work = work.merge(persons, left_on="true_person_id", right_on="person_id", how="left")
    work["kind"] = np.where(work["commuter"].fillna(False), "commuter", "pupil")
    work["work_province_code"] = code
    keep = [*IDENTITY, "active", "schemes", "kind", "employer_code", "work_province_code"]
    return home[[*keep, "home_province_code"]], work[keep]


def _grouped(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per person (and province): active on the day, the schemes in force (all its
    schemes when none is), the source of its rows (employment first) and its employer."""
    if rows.empty:
        return pd.DataFrame(columns=[*keys, "active", "schemes", "kind", "employer_code"]).astype(
            {"active": bool}
        )
    rows = rows.sort_values(["enrolment_id"])
    active = rows[rows["active"]]
    g = rows.groupby(keys, sort=True)
    out = g.agg(
        active=("active", "any"),
        all_schemes=("scheme", _schemes),
        kind=("source", lambda s: EMPLOYMENT if (s == EMPLOYMENT).any() else s.iloc[0]),
    )
    now = active.groupby(keys, sort=True).agg(
        now_schemes=("scheme", _schemes),
        now_employer=("employer_code", lambda s: s.dropna().min() if s.notna().any() else None),
    )
    latest = rows.sort_values([*keys, "start_date", "enrolment_id"]).groupby(keys).tail(1)
    latest = latest.set_index(keys)[["employer_code"]].rename(
        columns={"employer_code": "last_employer"}
    )
    out = out.join(now, how="left").join(latest, how="left").reset_index()
    out["schemes"] = out["now_schemes"].where(out["active"], out["all_schemes"])
    out["employer_code"] = out["now_employer"].where(out["active"], out["last_employer"])
    return out[[*keys, "active", "schemes", "kind", "employer_code"]]


def _pair(
    home: pd.DataFrame, work: pd.DataFrame, rng: np.random.Generator
) -> list[tuple[int, int]]:
    """(home index, work index) pairs: same state and schemes first, then same state."""
    pairs: list[tuple[int, int]] = []
    free_h, free_w = home.copy(), work.copy()
    for keys in (["active", "schemes"], ["active"]):
        taken_h: list[int] = []
        taken_w: list[int] = []
        for key, hs in free_h.groupby(keys, sort=True):
            ws = free_w
            for k, v in zip(keys, key if isinstance(key, tuple) else (key,), strict=True):
                ws = ws[ws[k] == v]
            if ws.empty:
                continue
            n = min(len(hs), len(ws))
            h_idx = _thin(hs.sort_values(["birth_date", "person_id"]).index, n, rng)
            w_idx = _thin(ws.sort_values(["birth_date", "person_id"]).index, n, rng)
            pairs += list(zip(h_idx, w_idx, strict=True))
            taken_h += list(h_idx)
            taken_w += list(w_idx)
        free_h = free_h.drop(index=taken_h)
        free_w = free_w.drop(index=taken_w)
    return pairs


def _thin(index: pd.Index, n: int, rng: np.random.Generator) -> list[int]:
    """``n`` of ``index`` at random, in their order."""
    if n >= len(index):
        return list(index)
    keep = np.sort(rng.choice(len(index), size=n, replace=False))
    return [index[i] for i in keep]


def _truth_rows(
    home: pd.DataFrame, work: pd.DataFrame, pairs: list[tuple[int, int]], present: set[str]
) -> pd.DataFrame:
    paired_h = {h: w for h, w in pairs}
    paired_w = {w for _, w in pairs}
    rows: list[dict[str, Any]] = []
    for i, h in home.iterrows():
        w = work.loc[paired_h[i]] if i in paired_h else None
        if w is not None:
            reason = "paired"
        elif h["work_province_code"] not in present:
            reason = "work_province_absent"
        elif h["kind"] == STUDENT:
            reason = "pupil_away"
        elif h["kind"] == EMPLOYMENT:
            reason = "no_commuter_left"
        else:
            reason = f"not_paired_{h['kind']}"
        rows.append(
            {
                "home_province_code": h["home_province_code"],
                "work_province_code": h["work_province_code"],
                "person_id": h["person_id"],
                "si_code": h["si_code"],
                "full_name": h["full_name"],
                "kind": "commuter"
                if h["kind"] == EMPLOYMENT
                else "pupil"
                if h["kind"] == STUDENT
                else str(h["kind"]),
                "home_side": True,
                "work_side": w is not None,
                "home_active": bool(h["active"]),
                "work_active": bool(w["active"]) if w is not None else False,
                "home_schemes": h["schemes"],
                "work_schemes": w["schemes"] if w is not None else None,
                "employer_code": w["employer_code"] if w is not None else None,
                "paired": w is not None,
                "reason": reason,
                "generated_person_id": w["person_id"] if w is not None else None,
            }
        )
    for j, w in work.iterrows():
        if j in paired_w:
            continue
        rows.append(
            {
                "home_province_code": None,
                "work_province_code": w["work_province_code"],
                "person_id": w["person_id"],
                "si_code": w["si_code"],
                "full_name": w["full_name"],
                "kind": w["kind"],
                "home_side": False,
                "work_side": True,
                "home_active": False,
                "work_active": bool(w["active"]),
                "home_schemes": None,
                "work_schemes": w["schemes"],
                "employer_code": w["employer_code"],
                "paired": False,
                "reason": "no_resident_left" if w["kind"] == "commuter" else "pupil_non_resident",
                "generated_person_id": w["person_id"],
            }
        )
    return pd.DataFrame(rows, columns=TRUTH_SCHEMA.names)


def link_nation(
    out: Path,
    seed: int,
    as_of: dt.date,
    codes: list[str] | None = None,
    pool: Executor | None = None,
    forms: bool = True,
) -> dict[str, Any]:
    """Pair the cross-province people of the provinces under ``out/provinces/`` (all of
    them, or ``codes``), rewrite their files and write ``out/truth/cross_province.parquet``;
    returns the counts (``nation.json``'s ``cross_province``).  With a ``pool``, each
    province's candidates are read and its files rewritten in the pool's processes (one
    province each, in any order: a province's rewrite depends on its own files and seed).
    ``forms=False`` draws no sample forms and no agents' money afterwards."""
    out = Path(out)
    folders = {
        p.name: p
        for p in sorted((out / "provinces").iterdir())
        if (p / "truth" / "enrolments.parquet").exists() and (codes is None or p.name in codes)
    }
    run: Callable[..., Iterator[Any]] = pool.map if pool is not None else map
    found = Candidates()
    collected = run(_collect, folders.values(), folders.keys(), [as_of] * len(folders))
    for home, work in collected:
        found.home.append(home)
        found.work.append(work)
    home = pd.concat(found.home, ignore_index=True)
    work = pd.concat(found.work, ignore_index=True)
    pairs: list[tuple[int, int]] = []
    for code in folders:
        hs = home[(home["work_province_code"] == code) & (home["kind"] == EMPLOYMENT)]
        ws = work[(work["work_province_code"] == code) & (work["kind"] == "commuter")]
        pairs += _pair(hs, ws, np.random.default_rng([seed, 15, int(code)]))
    truth = _truth_rows(home, work, pairs, set(folders))
    truth = truth.sort_values(
        ["home_province_code", "work_province_code", "person_id"], na_position="last"
    ).reset_index(drop=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    pq.write_table(
        pa.Table.from_pandas(truth, schema=TRUTH_SCHEMA, preserve_index=False),
        out / "truth" / TRUTH_FILE,
        compression="zstd",
    )
    identity: dict[tuple[str, str], pd.Series] = {}  # (work, generated ID) -> resident
    employer: dict[tuple[str, str, str], str] = {}  # (home, resident ID, work) -> employer
    for h, w in pairs:
        resident, commuter = home.loc[h], work.loc[w]
        who = (str(commuter["work_province_code"]), str(commuter["person_id"]))
        identity[who] = cast(pd.Series, resident[list(IDENTITY)])
        key = (
            str(resident["home_province_code"]),
            str(resident["person_id"]),
            str(resident["work_province_code"]),
        )
        if isinstance(commuter["employer_code"], str):
            employer[key] = commuter["employer_code"]
    renames = [
        {old: ident for (b, old), ident in identity.items() if b == code} for code in folders
    ]
    employers = [
        {(pid, b): e for (a, pid, b), e in employer.items() if a == code} for code in folders
    ]
    n = len(folders)
    list(
        run(
            _rewrite, folders.values(), folders.keys(), renames, employers, [as_of] * n, [forms] * n
        )
    )
    return summary(truth)


def summary(truth: pd.DataFrame) -> dict[str, Any]:
    """The counts ``nation.json`` shows: paired people, and the unpaired by reason."""
    reasons = truth["reason"].value_counts().sort_index()
    return {
        "people": len(truth),
        "paired": int(truth["paired"].sum()),
        "paired_active": int((truth["paired"] & truth["home_active"]).sum()),
        "by_reason": {str(k): int(v) for k, v in reasons.items()},
    }


# ----------------------------------------------------------------------------- rewrite


def _replace(
    t: pa.Table, column: str, mask: pa.ChunkedArray | pa.Array, values: pa.Array
) -> pa.Table:
    """``column`` of ``t`` set to ``values`` where ``mask`` (``values`` aligned to ``t``)."""
    i = t.schema.get_field_index(column)
    current = t.column(column)
    values = values.cast(current.type)
    return t.set_column(i, t.schema.field(i), pc.if_else(mask, values, current))


def _rewrite(
    folder: Path,
    code: str,
    renames: dict[str, pd.Series],
    employers: dict[tuple[str, str], str],
    as_of: dt.date,
    forms: bool = True,
) -> None:
    """One province's files: the paired commuters renamed, the rows held across a border
    given their holder's exact identifiers, the rows held elsewhere of paired residents given
    their employer there, and (``forms``) the forms drawn again."""
    truth_path = folder / "truth" / "enrolments.parquet"
    truth = pq.read_table(truth_path)
    here = pc.equal(truth.column("enrol_province_code"), code)
    cross = pc.or_(pc.invert(here), pc.invert(truth.column("resident")))
    old_ids = truth.column("true_person_id")
    # the generated ID of a paired commuter -> the resident's ID
    new_id = _mapped(old_ids, {k: v["person_id"] for k, v in renames.items()})
    truth = _replace(truth, "true_person_id", pc.is_valid(new_id), new_id)
    truth = _replace(truth, "id_noise", cross, pa.array(["none"] * truth.num_rows))

    persons_path = folder / "truth" / "persons.parquet"
    persons = pq.read_table(persons_path)
    p_ids = persons.column("person_id")
    renamed = pc.is_in(p_ids, value_set=pa.array(list(renames), pa.string()))
    for col in IDENTITY:
        persons = _replace(
            persons, col, renamed, _mapped(p_ids, {k: v[col] for k, v in renames.items()})
        )
    # identities of every person a cross row names, after the renaming
    ident = persons.select(list(IDENTITY))

    inputs_path = folder / "inputs" / "enrolments.parquet"
    enrol = pq.read_table(inputs_path)
    pos = pc.index_in(enrol.column("enrolment_id"), value_set=truth.column("enrolment_id"))
    holder = pc.take(truth.column("true_person_id"), pos)
    row_cross = pc.fill_null(pc.take(cross, pos), False)
    at = pc.index_in(holder, value_set=ident.column("person_id"))
    for col in IDENTITY:
        enrol = _replace(enrol, col, row_cross, pc.take(ident.column(col), at))
    if employers:
        keys = pc.binary_join_element_wise(holder, enrol.column("enrol_province_code"), "|")
        mapped = _mapped(keys, {f"{pid}|{b}": e for (pid, b), e in employers.items()})
        enrol = _replace(enrol, "employer_code", pc.is_valid(mapped), mapped)
    _write(enrol, inputs_path)
    _write(truth, truth_path)
    _write(persons, persons_path)

    for name in PERSON_ID_TRUTH:
        path = folder / "truth" / f"{name}.parquet"
        if not path.exists() or not renames:
            continue
        t = pq.read_table(path)
        new = _mapped(t.column("person_id"), {k: v["person_id"] for k, v in renames.items()})
        t = _replace(t, "person_id", pc.is_valid(new), new)
        if name == "employments" and employers:
            keys = pc.binary_join_element_wise(
                t.column("person_id"), t.column("province_code"), "|"
            )
            out_job = pc.and_(pc.invert(t.column("in_province")), pc.is_null(t.column("end_date")))
            mapped = _mapped(keys, {f"{pid}|{b}": e for (pid, b), e in employers.items()})
            t = _replace(t, "employer_code", pc.and_(out_job, pc.is_valid(mapped)), mapped)
        _write(t, path)
    if forms:
        _redraw_forms(folder, as_of)


def _mapped(values: pa.ChunkedArray | pa.Array, mapping: dict[str, Any]) -> pa.Array:
    """``mapping[value]`` for every value (null where it has none)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not mapping:
        return pa.nulls(len(values), pa.string())
    keys = pa.array(list(mapping), pa.string())
    vals = pa.array(list(mapping.values()), from_pandas=True)
    return pc.take(vals, pc.index_in(values.cast(pa.string()), value_set=keys))


def _write(t: pa.Table, path: Path) -> None:
    pq.write_table(t, path, compression="zstd", store_schema=False)


def _redraw_forms(folder: Path, as_of: dt.date) -> None:
    """The sample forms and the agents' money again, from the rewritten enrolments (the
    generator's seed and order), their counts kept in ``truth/summary.json``."""
    summary_path = folder / "truth" / "summary.json"
    if not summary_path.exists():
        return
    counts = json.loads(summary_path.read_text(encoding="utf-8"))
    if "forms" not in counts:
        return
    seed = int(counts["seed"])
    noise = pq.read_table(folder / "truth" / "enrolments.parquet", columns=["id_noise"])
    counted = noise.group_by("id_noise").aggregate([("id_noise", "count")]).to_pylist()
    counts["enrolment_id_noise"] = {r["id_noise"]: r["id_noise_count"] for r in counted}
    counts["forms"] = write_forms(folder, seed, as_of)
    counts["agents_money"] = write_agents_money(folder, seed, as_of)
    summary_path.write_text(
        json.dumps(counts, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
