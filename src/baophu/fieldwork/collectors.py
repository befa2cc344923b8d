"""Collectors' achievement and commission: the one definition, used by ``baophu lists
achievement`` and by a collector's page on the web.

For a collector and a year, counted on a day ``on`` (default today):

* **each person once**, at the last outcome recorded by or for the collector with an outcome
  date in the year (a person is the list's ``row_key``, or the personal ID of an outcome
  recorded without one); ``approached`` counts the people, ``by_outcome`` them by outcome;
* ``enrolled`` — the people whose last outcome is *enrolled* (Đã tham gia: what the field
  reports before the next import confirms it), ``enrolled_this_month`` those of them dated in
  the month of ``on``, ``confirmed`` those the data already confirm (no longer on a list
  except the voluntary-BHXH pool: ``potential_persons``);
* ``amount_collected`` — the amounts of those enrolments;
* the **commission** — ``collector.commission_rate`` of the legal parameters in force on the
  last day counted (``on``, or 31 December for a past year) × ``amount_collected``, rounded
  half-up to the whole đồng like every amount computed from a rate (``rules.money``).  The
  rate's ``status`` says whether it is a published figure; where no rate is in force the
  commission is ``None`` with status ``missing`` (never a made-up 0);
* ``targets`` — the collector's targets of the year from the targets step's progress mart
  (``achievement_by_unit``, hierarchy ``agents``): per indicator the target in people, what
  the data say is achieved, the ratio and the gap.

Reads: the operational database (outcomes), and through any ``Store`` — the workspace's, or
the web's copy — the marts ``potential_persons`` and ``achievement_by_unit`` and the table
``collectors``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from baophu.backends import Store
from baophu.contracts.vocabularies import OUTCOMES
from baophu.engine.potential import MART_PERSONS
from baophu.engine.targets import INDICATORS
from baophu.operational import FieldOutcome
from baophu.operational.db import OperationalDB
from baophu.rules import Rules, get_rules
from baophu.rules.errors import RuleNotInForceError
from baophu.rules.money import dec, round_vnd

COMMISSION_KEY = "collector.commission_rate"
TARGETS_MART = "achievement_by_unit"
POOL_ONLY = "voluntary_pool"  # a person listed for this reason alone is not "still listed"
TARGET_COLUMNS = ("indicator", "target_people", "achieved", "achievement_ratio", "gap")


@dataclass(frozen=True)
class Commission:
    """The commission rate in force on a day, with its status and source."""

    on: dt.date
    rate: float | None
    status: str  # "published", "placeholder", "approximation", "unverified" or "missing"
    source: str | None

    def of(self, amount: int) -> int | None:
        """The commission on ``amount`` đồng (rounded half-up), None without a rate."""
        if self.rate is None:
            return None
        return round_vnd(dec(amount) * dec(self.rate))


@dataclass(frozen=True)
class LastOutcome:
    """A person's last outcome of the year for one collector."""

    collector_code: str
    person: str
    outcome: str
    outcome_date: dt.date
    amount: int | None


def today() -> dt.date:
    """The day figures are counted on when the caller names none (one hook for both faces)."""
    return dt.date.today()


def commission_in_force(on: dt.date, rules: Rules | None = None) -> Commission:
    """``collector.commission_rate`` on ``on`` (status ``missing`` where none is in force)."""
    try:
        entry = (rules or get_rules()).entry(COMMISSION_KEY, on)
    except RuleNotInForceError:
        return Commission(on, None, "missing", None)
    return Commission(on, float(entry.value), entry.status or "published", entry.source)


def last_outcomes(
    db: OperationalDB, year: int, collector_code: str | None = None
) -> list[LastOutcome]:
    """Each (collector, person)'s last outcome dated in ``year`` (the last recorded)."""
    person = func.coalesce(FieldOutcome.row_key, FieldOutcome.person_id)
    in_year = (
        FieldOutcome.outcome_date >= dt.date(year, 1, 1),
        FieldOutcome.outcome_date <= dt.date(year, 12, 31),
        FieldOutcome.collector_code.is_not(None),
    )
    last_ids = select(func.max(FieldOutcome.id)).where(*in_year)
    if collector_code:
        last_ids = last_ids.where(FieldOutcome.collector_code == collector_code)
    last_ids = last_ids.group_by(FieldOutcome.collector_code, person)
    with db.session() as s:
        rows = s.execute(
            select(
                FieldOutcome.collector_code,
                person,
                FieldOutcome.outcome,
                FieldOutcome.outcome_date,
                FieldOutcome.amount,
            ).where(FieldOutcome.id.in_(last_ids))
        ).all()
    return [LastOutcome(str(c), str(p), o, d, a) for c, p, o, d, a in rows]


def outcomes_recorded(db: OperationalDB) -> int:
    """How many outcomes the operational database holds (every year, every collector)."""
    with db.session() as s:
        return int(s.execute(select(func.count(FieldOutcome.id))).scalar_one())


def still_listed(store: Store, people: list[str]) -> set[str]:
    """Of ``people`` (row keys), those still on a potential list for a reason other than the
    voluntary-BHXH pool alone."""
    if not people or not store.has_mart(MART_PERSONS):
        return set()
    t = store.read_mart(MART_PERSONS)
    t = t.filter(t.row_key.isin(people) & (t.reasons != POOL_ONLY)).select("row_key")
    return set(t.distinct().to_pyarrow().column(0).to_pylist())


def collector_targets(
    store: Store, year: int, collector: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Per collector (or ``collector`` alone), the targets of ``year`` in the progress mart
    (indicator order).  Every collector's are read at once and kept by a store that never
    changes (``Store.memo``: the web's copy), so a collector's page does not query them."""
    everyone = store.memo(("collector_targets", year), lambda: _targets_by_collector(store, year))
    if collector is None:
        return {code: [dict(r) for r in rows] for code, rows in everyone.items()}
    mine = everyone.get(collector)
    return {} if mine is None else {collector: [dict(r) for r in mine]}


def _targets_by_collector(store: Store, year: int) -> dict[str, list[dict[str, Any]]]:
    if not store.has_mart(TARGETS_MART):
        return {}
    t = store.read_mart(TARGETS_MART)
    t = t.filter((t.hierarchy == "agents") & (t.year == year)).select("unit_code", *TARGET_COLUMNS)
    order = list(INDICATORS)
    out: dict[str, list[dict[str, Any]]] = {}
    for r in t.to_pyarrow().to_pylist():
        ind = INDICATORS.get(r["indicator"])
        row = {k: r[k] for k in TARGET_COLUMNS}
        row["indicator_vi"] = ind.vi if ind else r["indicator"]
        row["is_rate"] = bool(ind and ind.is_rate)
        out.setdefault(r["unit_code"], []).append(row)
    for rows in out.values():
        rows.sort(key=lambda x: order.index(x["indicator"]) if x["indicator"] in order else 99)
    return out


def collector_names(store: Store, collector: str | None = None) -> dict[str, dict[str, Any]]:
    """collector_code → {full_name, agent_code} (of ``collector`` alone when given; every
    collector's read at once and kept as ``collector_targets`` keeps them)."""
    everyone = store.memo(("collector_names",), lambda: _names_by_collector(store))
    if collector is None:
        return {code: dict(r) for code, r in everyone.items()}
    mine = everyone.get(collector)
    return {} if mine is None else {collector: dict(mine)}


def _names_by_collector(store: Store) -> dict[str, dict[str, Any]]:
    c = store.table("collectors")
    rows = c.select("collector_code", "full_name", "agent_code").distinct().to_pyarrow()
    return {r["collector_code"]: r for r in rows.to_pylist()}


def summarise(
    code: str,
    mine: list[LastOutcome],
    on: dt.date,
    listed: set[str],
    commission: Commission,
) -> dict[str, Any]:
    """One collector's field figures from their people's last outcomes."""
    by_outcome = {o: 0 for o in OUTCOMES}
    enrolled = [m for m in mine if m.outcome == "enrolled"]
    for m in mine:
        by_outcome[m.outcome] = by_outcome.get(m.outcome, 0) + 1
    amount = sum(int(m.amount or 0) for m in enrolled)
    this_month = (on.year, on.month)
    return {
        "collector_code": code,
        "approached": len(mine),
        "by_outcome": by_outcome,
        "enrolled": len(enrolled),
        "enrolled_this_month": sum(
            (m.outcome_date.year, m.outcome_date.month) == this_month for m in enrolled
        ),
        "confirmed": sum(m.person not in listed for m in enrolled),
        "amount_collected": amount,
        "commission_rate": commission.rate,
        "commission_status": commission.status,
        "commission": commission.of(amount),
    }


def achievement(
    db: OperationalDB,
    store: Store,
    year: int,
    *,
    collector: str | None = None,
    on: dt.date | None = None,
) -> dict[str, Any]:
    """Achievement and commission of every collector with outcomes or targets in ``year``
    (or of ``collector`` alone), counted on ``on`` (see the module docstring)."""
    on = on or today()
    commission = commission_in_force(min(on, dt.date(year, 12, 31)))
    latest = last_outcomes(db, year, collector)
    targets = collector_targets(store, year, collector)
    names = collector_names(store, collector)
    found = {m.collector_code for m in latest} | set(targets)
    codes = [collector] if collector else sorted(found)
    enrolled = sorted({m.person for m in latest if m.outcome == "enrolled"})
    listed = still_listed(store, enrolled)
    collectors = []
    for code in codes:
        mine = [m for m in latest if m.collector_code == code]
        named = names.get(code) or {}
        collectors.append(
            {
                **summarise(code, mine, on, listed, commission),
                "collector_name": named.get("full_name"),
                "agent_code": named.get("agent_code"),
                "targets": targets.get(code, []),
            }
        )
    return {
        "year": year,
        "on": on.isoformat(),
        "commission_rate": commission.rate,
        "commission_status": commission.status,
        "commission_source": commission.source,
        "commission_on": commission.on.isoformat(),
        "outcomes_recorded": outcomes_recorded(db),
        "collectors": collectors,
    }


def collector_achievement(
    db: OperationalDB, store: Store, collector_code: str, year: int, on: dt.date | None = None
) -> dict[str, Any]:
    """One collector's figures (``achievement`` for ``collector_code``), with the year."""
    everything = achievement(db, store, year, collector=collector_code, on=on)
    return {
        "year": year,
        "commission_source": everything["commission_source"],
        **everything["collectors"][0],
    }
