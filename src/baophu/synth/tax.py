"""Tax returns and the business registry: the outside data evasion is detected against.

Enterprises file settled accounts with their true average headcount and payroll fund
(which includes bonuses beyond the contribution wage, so even honest employers show a payroll
fund somewhat above their declared wage bill).  The business registry lists every enterprise
— registered with social insurance or not — plus dissolved, suspended and employee-less ones.
Household businesses are in neither.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from baophu.synth import names
from baophu.synth.context import Context
from baophu.synth.employers import (
    EVASION,
    HOUSEHOLD_BUSINESS,
    OWNERSHIP,
    PRIVATE,
    UNREGISTERED,
    Firms,
    firm_addresses,
    firm_names,
    tax_codes,
)
from baophu.synth.geography import Geography
from baophu.synth.ledger import Workforce
from baophu.synth.strings import digits, masked, take

EXTRA_STATUS = ("active", "suspended", "dissolved")


@dataclass
class TaxFiles:
    """Tax returns, business registry, and the evaders' truth."""

    tax_returns: pa.Table
    registry: pa.Table
    evaders: pa.Table


def build_tax(ctx: Context, geo: Geography, firms: Firms, wf: Workforce) -> TaxFiles:
    """Tax returns for the settled years of the history (from the year of
    ``history_start``), the registry, and the evaders."""
    rng = ctx.rng("tax")
    year = ctx.as_of.year
    enterprise = (firms.ownership != HOUSEHOLD_BUSINESS) & firms.has_tax_code
    ent = np.flatnonzero(enterprise)
    n_ent = len(ent)
    n_extra = max(1, firms.registry_size - n_ent)

    # registry-only enterprises: dissolved, suspended or without employees
    all_codes = tax_codes(rng, ctx.province.tax_prefix, n_extra + 50)
    taken = set(pc.drop_null(firms.tax_code).to_pylist())
    pool = [c for c in all_codes.tolist() if f"{c:010d}" not in taken][:n_extra]
    extra_tax = digits(np.array(pool, dtype=np.int64), 10)
    extra_own = rng.choice([PRIVATE, PRIVATE, PRIVATE, 4], n_extra)
    extra_commune = rng.choice(geo.n_communes, n_extra, p=geo.commune_share)
    extra_status = rng.choice(3, n_extra, p=[0.4, 0.2, 0.4])
    extra_date = ctx.as_of_d - rng.integers(90, 12 * 365, n_extra).astype("timedelta64[D]")
    extra_name = firm_names(rng, extra_own, extra_commune, geo)

    # tax returns: average true headcount and payroll fund of each settled year
    bonus = 1.0 + rng.uniform(0.0, 0.15, firms.n)
    years, codes, heads, funds, tnames = [], [], [], [], []
    first_year = int(ctx.history_start.astype("datetime64[Y]").astype(np.int64)) + 1970
    for y in range(first_year, year):
        i0 = wf.at(np.datetime64(f"{y}-01", "M"))
        cols = slice(i0, i0 + 12)
        exists = firms.business_date[ent] <= np.datetime64(f"{y}-12-31")
        rows = ent[exists]
        head = np.round(wf.true_head[rows, cols].mean(axis=1)).astype(np.int64)
        fund = np.round(wf.true_bill[rows, cols].sum(axis=1) * bonus[rows], -3).astype(np.int64)
        years.append(np.full(len(rows), y))
        codes.append(firms.tax_code.take(pa.array(rows)))
        heads.append(head)
        funds.append(fund)
        tnames.append(firms.name.take(pa.array(rows)))
        ex = extra_date <= np.datetime64(f"{y}-12-31")
        ex &= ~((extra_status == 2) & (rng.random(n_extra) < 0.5))
        ex_rows = np.flatnonzero(ex)
        years.append(np.full(len(ex_rows), y))
        codes.append(extra_tax.take(pa.array(ex_rows)))
        heads.append(np.zeros(len(ex_rows), dtype=np.int64))
        funds.append(np.zeros(len(ex_rows), dtype=np.int64))
        tnames.append(extra_name.take(pa.array(ex_rows)))
    tax_returns = pa.table(
        {
            "tax_code": pa.concat_arrays(codes),
            "year": pa.array(np.concatenate(years).astype(np.int64)),
            "taxpayer_name": pa.concat_arrays(tnames),
            "headcount": pa.array(np.concatenate(heads)),
            "payroll_fund": pa.array(np.concatenate(funds)),
        }
    ).sort_by([("year", "ascending"), ("tax_code", "ascending")])

    # business registry
    n_all = n_ent + n_extra
    eth = np.zeros(n_all, dtype=np.int8)
    female = rng.random(n_all) < 0.3
    sur = names.draw_surnames(rng, eth)
    mid, giv = names.draw_middle_and_given(rng, female, rng.integers(1955, 1998, n_all))
    rep = names.render(sur, mid, giv)
    status = np.concatenate([np.zeros(n_ent, dtype=np.int64), extra_status])
    own = np.concatenate([firms.ownership[ent], extra_own])
    commune = np.concatenate([firms.commune[ent], extra_commune])
    address = firm_addresses(rng, geo, commune, ctx.province.name)
    registry = pa.table(
        {
            "tax_code": pa.concat_arrays([firms.tax_code.take(pa.array(ent)), extra_tax]),
            "business_name": pa.concat_arrays([firms.name.take(pa.array(ent)), extra_name]),
            "registered_date": pa.array(
                np.concatenate([firms.business_date[ent], extra_date]), type=pa.date32()
            ),
            "status": take(list(EXTRA_STATUS), status),
            "ownership": take(list(OWNERSHIP), own),
            "commune_code": take(geo.arrow("commune_codes"), commune),
            "address": address,
            "legal_representative": rep,
        }
    ).sort_by("tax_code")

    # evaders' truth (as_of month)
    ev = np.flatnonzero(firms.evasion > 0)
    i = wf.at(ctx.as_of_month)
    reg = ev < firms.n_registered
    th, dh = wf.true_head[ev, i], wf.declared_head[ev, i]
    tb, db = wf.true_bill[ev, i], wf.declared_bill[ev, i]
    dh = np.where(firms.evasion[ev] == UNREGISTERED, 0, dh)
    db = np.where(firms.evasion[ev] == UNREGISTERED, 0, db)
    evaders = pa.table(
        {
            "tax_code": firms.tax_code.take(pa.array(ev)),
            "employer_code": masked(firms.employer_code.take(pa.array(np.where(reg, ev, 0))), ~reg),
            "kind": take(list(EVASION), firms.evasion[ev]),
            "wage_bunched_at_minimum": pa.array(firms.wage_bunched[ev]),
            "true_headcount": pa.array(th),
            "declared_headcount": pa.array(dh),
            "true_wage_bill": pa.array(tb),
            "declared_wage_bill": pa.array(db),
            "true_average_wage": pa.array(np.where(th > 0, tb // np.maximum(th, 1), 0)),
            "declared_average_wage": pa.array(np.where(dh > 0, db // np.maximum(dh, 1), 0)),
        }
    )
    return TaxFiles(tax_returns=tax_returns, registry=registry, evaders=evaders)
