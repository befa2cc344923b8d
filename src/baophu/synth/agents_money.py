"""The money collection agents take from participants, and what they pass on: receipts
(``agent_receipts``) and transfers to the social-insurance account (``agent_remittances``),
with planted shortfalls and their truth.

Every household BHYT card and voluntary BHXH spell that a collector brought in and that
starts in the year before the reference date gets a receipt (the e-declaration sample of
``synth.forms`` already holds a few: those are not written twice), dated 1 to 10 days before
the spell starts, for 12 months of the first household member's BHYT or 3 months of voluntary
BHXH on the chosen income (the dated parameters of the spell's start).  Each agent remits the
receipts of a week in one transfer, the day after the last receipt or the same day.

Planted (``truth/agents_money.parquet``: ``kind``, ``agent_code``, ``key``, ``amount``):

* ``enrolment_without_receipt`` — an enrolment created without a receipt (``key`` the
  enrolment id, ``amount`` what the receipt should have said);
* ``receipt_without_enrolment`` — money taken from a resident with no enrolment at all
  (``key`` the receipt number);
* ``late_remittance`` — a week's transfer made 5 to 30 days after the deadline (``key`` the
  transfer's id, ``amount`` the amount transferred);
* ``remittance_shortfall`` — a week's transfer short of the receipts it settles by 5 % to
  40 % (``key`` the transfer's id, ``amount`` the shortfall).

Hook: ``write_agents_money(out, seed, as_of)`` after ``synth.forms.write_forms``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from baophu.rules import get_policy
from baophu.rules.household import household_bhyt
from baophu.rules.voluntary import income_bounds, voluntary_bhxh
from baophu.synth.strings import digits
from baophu.synth.writers import write_parquet

AGENTS_MONEY_KINDS = (
    "enrolment_without_receipt",
    "receipt_without_enrolment",
    "late_remittance",
    "remittance_shortfall",
)
NO_RECEIPT_SHARE = 0.01  # of the enrolments that should have a receipt
GHOST_SHARE = 0.005  # receipts for people never enrolled, of the receipts
LATE_SHARE = 0.03  # of the weekly transfers
SHORT_SHARE = 0.03  # of the weekly transfers (not the late ones)
BHYT_MONTHS = 12
VOLUNTARY_MONTHS = 3
EPOCH = np.datetime64("1970-01-01", "D")


def _days(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A date column as days since 1970 (NaT for nulls)."""
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype="datetime64[D]")


def _strings(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(column.to_pylist(), dtype=object)


def _receipt_amounts(scheme: np.ndarray, start: np.ndarray, wage: np.ndarray) -> np.ndarray:
    """What a receipt says for each spell: 12 months of household BHYT (first member) or 3
    months of voluntary BHXH on the chosen income, at the parameters of the spell's start."""
    out = np.zeros(len(scheme), dtype=np.int64)
    cache: dict[tuple[str, int, dt.date], int] = {}
    bounds: dict[dt.date, tuple[int, int]] = {}  # the income bounds of a month
    months = start.astype("datetime64[M]").astype("datetime64[D]").tolist()  # first days
    days = start.astype("datetime64[D]").tolist()
    for i, (s, on, month, w) in enumerate(zip(scheme, days, months, wage, strict=True)):
        if s == "bhyt":
            key = ("bhyt", 0, month)
            if key not in cache:
                cache[key] = int(household_bhyt(1, on)["monthly"]) * BHYT_MONTHS
        else:
            if month not in bounds:
                bounds[month] = income_bounds(on)
            low, high = bounds[month]
            income = int(min(max(int(w) if w and w > 0 else low, low), high))
            key = ("vol", income, month)
            if key not in cache:
                gross = int(voluntary_bhxh(income, "other", on)["gross"])
                cache[key] = gross * VOLUNTARY_MONTHS
        out[i] = cache[key]
    return out


def write_agents_money(out: Path, seed: int, as_of: dt.date) -> dict[str, int]:
    """Write ``inputs/agent_receipts.parquet``, ``inputs/agent_remittances.parquet`` and
    ``truth/agents_money.parquet``; return counts."""
    inputs, truth_dir = out / "inputs", out / "truth"
    rng = np.random.default_rng([seed, 1414])
    due_days = int(get_policy().value("risk.remittance_due_days", as_of))
    as_of_d = np.datetime64(as_of, "D")
    since = as_of_d - np.timedelta64(365, "D")

    coll = pacsv.read_csv(inputs / "collectors.csv")
    coll_code = _strings(coll.column(0))
    coll_agent = _strings(coll.column(2))
    coll_hamlet = _strings(coll.column(3))
    agent_of = dict(zip(coll_code, coll_agent, strict=True))
    first_collector: dict[str, str] = {}
    for c, h in zip(coll_code, coll_hamlet, strict=True):
        first_collector.setdefault(str(h), str(c))

    e = pq.read_table(
        inputs / "enrolments.parquet",
        columns=[
            "enrolment_id",
            "person_id",
            "si_code",
            "full_name",
            "scheme",
            "payer",
            "start_date",
            "contribution_wage",
            "collector_code",
        ],
    )
    t = pq.read_table(
        truth_dir / "enrolments.parquet",
        columns=["enrolment_id", "true_person_id", "fault", "id_noise"],
    )
    # The receipts are written for few of the enrolment rows: they are chosen in Arrow and
    # only they become Python values (every row as Python objects takes GiBs at scale 1.0).
    # First the cheap cut (household BHYT or voluntary BHXH started in the last year), then
    # the collector's agent and the duplicates on what is left.
    scheme_all, start_all = e.column("scheme"), e.column("start_date")
    kind_ok = pc.or_kleene(
        pc.and_kleene(pc.equal(scheme_all, "bhyt"), pc.equal(e.column("payer"), "household")),
        pc.equal(scheme_all, "bhxh_voluntary"),
    )
    recent = pc.and_kleene(
        pc.greater(start_all, pa.scalar(since.astype(dt.date), pa.date32())),
        pc.less_equal(start_all, pa.scalar(as_of, pa.date32())),
    )
    cut = np.flatnonzero(
        pc.fill_null(pc.and_kleene(kind_ok, recent), False).to_numpy(zero_copy_only=False)
    )
    enrolled = pc.unique(t.column("true_person_id").combine_chunks())  # everyone's
    e = e.take(pa.array(cut, pa.int64()))
    # the truth of those rows, in their order (the truth file is in another order)
    ids = e.column("enrolment_id")
    t = t.filter(pc.is_in(t.column("enrolment_id"), value_set=ids.combine_chunks()))
    t = t.take(pc.index_in(ids, t.column("enrolment_id")))
    at = pc.index_in(e.column("collector_code"), pa.array(coll_code.tolist(), pa.string()))
    agent_all = pa.array(coll_agent.tolist(), pa.string()).take(at.combine_chunks())
    is_dup = pc.fill_null(pc.equal(t.column("fault"), "duplicate_record"), False)
    copy_all = pc.and_(is_dup, pc.fill_null(pc.equal(t.column("id_noise"), "si_only"), False))
    eligible = pc.and_(
        pc.is_valid(agent_all),
        pc.and_(
            pc.is_valid(pc.coalesce(e.column("person_id"), e.column("si_code"))),
            pc.invert(copy_all),
        ),
    )
    rows = np.flatnonzero(eligible.to_numpy(zero_copy_only=False))
    picked = pa.array(rows, pa.int64())
    sel = e.take(picked)
    scheme = _strings(sel.column("scheme"))
    collector = _strings(sel.column("collector_code"))
    pid = _strings(sel.column("person_id"))
    si = _strings(sel.column("si_code"))
    start = _days(sel.column("start_date"))
    agent = _strings(agent_all.take(picked))
    e_ids = _strings(sel.column("enrolment_id"))
    full_name = _strings(sel.column("full_name"))
    dup_original = (is_dup.take(picked).to_numpy(zero_copy_only=False)) & ~(
        copy_all.take(picked).to_numpy(zero_copy_only=False)
    )
    wage = sel.column("contribution_wage").to_numpy(zero_copy_only=False)
    wage = np.nan_to_num(np.asarray(wage, dtype=float), nan=0).astype(np.int64)

    forms_path = truth_dir / "forms" / "agent_receipts.parquet"
    forms = pq.read_table(forms_path) if forms_path.exists() else None
    covered: set[tuple[str, str, np.datetime64]] = set()
    if forms is not None:
        for r in forms.select(["scheme", "person_id", "si_code", "period_start"]).to_pylist():
            ident = r["person_id"] or r["si_code"]
            covered.add((r["scheme"], str(ident), np.datetime64(r["period_start"], "M")))
    ident = np.where(pid != None, pid, si)  # noqa: E711 - element-wise null test
    month = start.astype("datetime64[M]")
    in_forms = np.array(
        [(scheme[i], str(ident[i]), month[i]) in covered for i in range(len(rows))], bool
    )
    local = np.flatnonzero(~in_forms)  # positions in the selected rows
    amounts = _receipt_amounts(scheme[local], start[local], wage[local])
    # planted: no receipt (never the original of a duplicate, whose copy would lack one too)
    no_receipt = (rng.random(len(local)) < NO_RECEIPT_SHARE) & ~dup_original[local]
    missing, missing_amount = local[no_receipt], amounts[no_receipt]
    local, amounts = local[~no_receipt], amounts[~no_receipt]
    lead = rng.integers(1, 11, len(local)).astype("timedelta64[D]")

    receipts = {
        "agent_code": list(agent[local]),
        "receipt_date": list(start[local] - lead),
        "collector_code": list(collector[local]),
        "person_id": list(pid[local]),
        "si_code": list(si[local]),
        "full_name": full_name[local].tolist(),
        "scheme": list(scheme[local]),
        "amount": list(amounts),
        "months": list(np.where(scheme[local] == "bhyt", BHYT_MONTHS, VOLUNTARY_MONTHS)),
        "period_start": list(start[local]),
    }
    n_real = len(local)

    # planted: receipts for residents with no enrolment at all
    res = pq.read_table(
        inputs / "residents.parquet",
        columns=[
            "person_id",
            "si_code",
            "full_name",
            "hamlet_code",
            "death_date",
            "moved_out_date",
        ],
    )
    free = pc.and_(
        pc.and_(pc.is_null(res.column("death_date")), pc.is_null(res.column("moved_out_date"))),
        pc.and_(
            pc.invert(pc.is_in(res.column("person_id"), value_set=enrolled)),
            pc.is_in(res.column("hamlet_code"), value_set=pa.array(list(first_collector))),
        ),
    ).to_numpy(zero_copy_only=False)
    candidates = np.flatnonzero(free)
    k = min(len(candidates), max(1, round(GHOST_SHARE * n_real)) if n_real else 0)
    ghosts = np.sort(rng.choice(candidates, size=k, replace=False)) if k else candidates[:0]
    g_date = as_of_d - rng.integers(5, 360, k).astype("timedelta64[D]")
    g_start = g_date + np.timedelta64(3, "D")
    chosen = res.take(pa.array(ghosts, pa.int64()))
    g_collector = [first_collector[str(h)] for h in _strings(chosen.column("hamlet_code"))]
    g_amount = _receipt_amounts(np.full(k, "bhyt", object), g_start, np.zeros(k, np.int64))
    receipts["agent_code"] += [agent_of[c] for c in g_collector]
    receipts["receipt_date"] += list(g_date)
    receipts["collector_code"] += g_collector
    receipts["person_id"] += list(_strings(chosen.column("person_id")))
    receipts["si_code"] += _strings(chosen.column("si_code")).tolist()
    receipts["full_name"] += _strings(chosen.column("full_name")).tolist()
    receipts["scheme"] += ["bhyt"] * k
    receipts["amount"] += list(g_amount)
    receipts["months"] += [BHYT_MONTHS] * k
    receipts["period_start"] += list(g_start)
    n = n_real + k
    receipt_no = digits(np.arange(n) + 1, 8, prefix="BL").to_pylist()
    receipts_table = pa.table(
        {
            "agent_code": pa.array(receipts["agent_code"], pa.string()),
            "receipt_no": pa.array(receipt_no, pa.string()),
            "receipt_date": pa.array(np.asarray(receipts["receipt_date"], "datetime64[D]")),
            "collector_code": pa.array(receipts["collector_code"], pa.string()),
            "school_code": pa.nulls(n, pa.string()),
            "person_id": pa.array(receipts["person_id"], pa.string()),
            "si_code": pa.array(receipts["si_code"], pa.string()),
            "full_name": pa.array(receipts["full_name"], pa.string()),
            "scheme": pa.array(receipts["scheme"], pa.string()),
            "amount": pa.array(np.asarray(receipts["amount"], np.int64)),
            "months": pa.array(np.asarray(receipts["months"], np.int64)),
            "period_start": pa.array(np.asarray(receipts["period_start"], "datetime64[D]")),
            "enrolment_id": pa.nulls(n, pa.string()),
        }
    )
    order = np.lexsort((np.asarray(receipts["receipt_date"], "datetime64[D]"),))
    write_parquet(receipts_table, inputs / "agent_receipts.parquet", "agent_receipts", order)

    # transfers: every agent remits each week's receipts (the forms' receipts included)
    all_agent = list(receipts["agent_code"])
    all_date = list(np.asarray(receipts["receipt_date"], "datetime64[D]"))
    all_amount = list(receipts["amount"])
    if forms is not None:
        all_agent += forms.column("agent_code").to_pylist()
        all_date += list(_days(forms.column("receipt_date")))
        all_amount += forms.column("amount").to_pylist()
    a = np.asarray(all_agent, object)
    d = np.asarray(all_date, "datetime64[D]")
    m = np.asarray(all_amount, np.int64)
    week = (d - EPOCH).astype(np.int64) // 7
    keys = sorted(set(zip(a.tolist(), week.tolist(), strict=True)))
    index = {key: i for i, key in enumerate(keys)}
    group = np.array([index[(x, w)] for x, w in zip(a.tolist(), week.tolist(), strict=True)])
    nk = len(keys)
    total = np.bincount(group, weights=m, minlength=nk).astype(np.int64)
    first = np.full(nk, np.datetime64("2100-01-01"), "datetime64[D]")
    last = np.full(nk, np.datetime64("1900-01-01"), "datetime64[D]")
    np.minimum.at(first, group, d)
    np.maximum.at(last, group, d)
    paid_on = last + rng.integers(0, 2, nk).astype("timedelta64[D]")
    room = last + np.timedelta64(due_days + 45, "D") <= as_of_d
    draw = rng.random(nk)
    late = room & (draw < LATE_SHARE)
    short = (draw >= LATE_SHARE) & (draw < LATE_SHARE + SHORT_SHARE)
    paid_on = np.where(
        late, last + (due_days + rng.integers(5, 31, nk)).astype("timedelta64[D]"), paid_on
    )
    cut = np.round(total * rng.uniform(0.05, 0.40, nk) / 1000).astype(np.int64) * 1000
    cut = np.where(short, np.maximum(cut, 1000), 0)
    made = paid_on <= as_of_d
    ids = digits(np.arange(nk) + 1, 8, prefix="CT").to_pylist()
    kept = np.flatnonzero(made)
    remittances = pa.table(
        {
            "remittance_id": pa.array([ids[i] for i in kept], pa.string()),
            "agent_code": pa.array([keys[i][0] for i in kept], pa.string()),
            "school_code": pa.nulls(len(kept), pa.string()),
            "remittance_date": pa.array(paid_on[kept]),
            "amount": pa.array((total - cut)[kept]),
            "receipts_from": pa.array(first[kept]),
            "receipts_to": pa.array(last[kept]),
        }
    )
    write_parquet(remittances, inputs / "agent_remittances.parquet", "agent_remittances")

    kinds: list[str] = []
    agents: list[str] = []
    key_col: list[str] = []
    amount_col: list[int] = []
    for row, amount in zip(missing, missing_amount, strict=True):
        kinds.append("enrolment_without_receipt")
        agents.append(str(agent[row]))
        key_col.append(str(e_ids[row]))
        amount_col.append(int(amount))
    for j in range(n_real, n):
        kinds.append("receipt_without_enrolment")
        agents.append(str(receipts["agent_code"][j]))
        key_col.append(receipt_no[j])
        amount_col.append(int(receipts["amount"][j]))
    for i in kept:
        if late[i]:
            kinds.append("late_remittance")
            agents.append(keys[i][0])
            key_col.append(ids[i])
            amount_col.append(int(total[i] - cut[i]))
        if short[i]:
            kinds.append("remittance_shortfall")
            agents.append(keys[i][0])
            key_col.append(ids[i])
            amount_col.append(int(cut[i]))
    truth = pa.table(
        {
            "kind": pa.array(kinds, pa.string()),
            "agent_code": pa.array(agents, pa.string()),
            "key": pa.array(key_col, pa.string()),
            "amount": pa.array(amount_col, pa.int64()),
        }
    )
    pq.write_table(truth, truth_dir / "agents_money.parquet")
    return {
        "agent_receipts": n,
        "agent_remittances": len(kept),
        **{kind: kinds.count(kind) for kind in AGENTS_MONEY_KINDS},
    }
