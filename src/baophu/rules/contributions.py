"""Compulsory contributions (BHXH, BHYT, BHTN) on one monthly wage, split by party and scheme.

Owns the arithmetic of a compulsory contribution for one employee and one month:

* the contribution wage is **capped**, never floored: BHXH and BHYT at
  ``cap.bhxh_multiple`` × ``reference_level`` (46,800,000 in 2025–2026), BHTN at
  ``cap.bhtn_multiple`` × the regional minimum wage of the employer's region;
* a wage below the regional minimum wage is still computed, with a warning;
* employer BHXH = pension/survivor + sickness/maternity + occupational accident funds;
  employee BHXH = pension/survivor; BHYT and BHTN from their own ``rate.*`` keys;
* rounding (as stated in ``parameters.toml``): each fund of each party is rounded half-up to
  the whole dong; scheme amounts and totals are sums of those rounded amounts.

Who must contribute, and arrears, are not decided here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from baophu.rules.errors import RulesInputError
from baophu.rules.money import check_amount, dec, round_vnd
from baophu.rules.parameters import Rules, as_date, resolve
from baophu.vn.formats import money

REGIONS = (1, 2, 3, 4)
SCHEMES = ("bhxh", "bhyt", "bhtn")

# (party, fund, scheme, rate key); the fund order is the order of VSS form C12-TS.
_FUNDS: tuple[tuple[str, str, str, str], ...] = (
    ("employer", "pension_survivor", "bhxh", "rate.employer.pension_survivor"),
    ("employer", "sickness_maternity", "bhxh", "rate.employer.sickness_maternity"),
    ("employer", "occupational", "bhxh", "rate.employer.occupational"),
    ("employer", "bhyt", "bhyt", "rate.employer.bhyt"),
    ("employer", "bhtn", "bhtn", "rate.employer.bhtn"),
    ("employee", "pension_survivor", "bhxh", "rate.employee.pension_survivor"),
    ("employee", "bhyt", "bhyt", "rate.employee.bhyt"),
    ("employee", "bhtn", "bhtn", "rate.employee.bhtn"),
)


def check_region(region: object) -> int:
    """Check a minimum-wage region number (1–4) and return it."""
    if isinstance(region, bool) or not isinstance(region, int) or region not in REGIONS:
        raise RulesInputError(
            f"Vùng lương tối thiểu phải là 1, 2, 3 hoặc 4, nhận {region!r}",
            f"minimum-wage region must be 1, 2, 3 or 4, got {region!r}",
        )
    return region


def contribution_caps(
    on: date | datetime | str, region: int, rules: Rules | None = None
) -> dict[str, int]:
    """The caps on the contribution wage on ``on``: ``{"bhxh_bhyt": int, "bhtn": int}``."""
    r = resolve(rules)
    day = as_date(on)
    check_region(region)
    minimum = int(r.value(f"regional_minimum_wage.region_{region}", day))
    return {
        "bhxh_bhyt": int(r.value("cap.bhxh_multiple", day)) * int(r.value("reference_level", day)),
        "bhtn": int(r.value("cap.bhtn_multiple", day)) * minimum,
    }


def compulsory_split(
    wage: int,
    on: date | datetime | str,
    region: int,
    *,
    reduced_occupational: bool = False,
    rules: Rules | None = None,
) -> dict[str, Any]:
    """Split the compulsory contribution on a monthly ``wage`` by party and scheme.

    ``on`` is a day of the contribution month (the rules of that day apply); ``region`` is the
    employer's minimum-wage region (1–4).  ``reduced_occupational`` uses the 0.3 % rate for
    employers approved under Decree 58/2020 Art. 4(1)(b).

    Returns ``{"wage", "date", "region", "bhxh_bhyt_wage", "bhtn_wage", "caps",
    "regional_minimum_wage", "employer": {"bhxh", "bhyt", "bhtn", "total"}, "employee": {...},
    "employer_funds": {"pension_survivor", "sickness_maternity", "occupational"},
    "total", "rates", "warnings", "rule_version", "sources"}``.
    """
    r = resolve(rules)
    day = as_date(on)
    wage = check_amount(wage, "Tiền lương đóng bảo hiểm", "contribution wage")
    region = check_region(region)

    minimum_key = f"regional_minimum_wage.region_{region}"
    minimum = int(r.value(minimum_key, day))
    caps = contribution_caps(day, region, r)
    bhxh_wage = min(wage, caps["bhxh_bhyt"])
    bhtn_wage = min(wage, caps["bhtn"])

    rates: dict[str, float] = {}
    sources: dict[str, str] = {}
    for _party, _fund, _scheme, key in _FUNDS:
        rates[key] = float(r.value(key, day))
        sources[key] = r.source(key, day)
    if reduced_occupational:
        rates["rate.employer.occupational"] = float(r.value("occupational.reduced_rate", day))
        sources["rate.employer.occupational"] = r.source("occupational.reduced_rate", day)
    for key in ("reference_level", "cap.bhxh_multiple", "cap.bhtn_multiple", minimum_key):
        sources[key] = r.source(key, day)

    parties: dict[str, dict[str, int]] = {
        party: dict.fromkeys(SCHEMES, 0) for party in ("employer", "employee")
    }
    employer_funds: dict[str, int] = {}
    for party, fund, scheme, key in _FUNDS:
        base = bhtn_wage if scheme == "bhtn" else bhxh_wage
        amount = round_vnd(dec(base) * dec(rates[key]))
        parties[party][scheme] += amount
        if party == "employer" and scheme == "bhxh":
            employer_funds[fund] = amount
    for amounts in parties.values():
        amounts["total"] = sum(amounts[s] for s in SCHEMES)

    warnings: list[str] = []
    if wage < minimum:
        warnings.append(
            f"Tiền lương {money(wage)} thấp hơn lương tối thiểu vùng {region} "
            f"({money(minimum)}); vẫn tính theo mức khai báo / wage {wage} is below the "
            f"region {region} minimum wage ({minimum}); computed on the declared wage anyway"
        )
    if wage > caps["bhxh_bhyt"]:
        warnings.append(
            f"Tiền lương vượt mức trần BHXH/BHYT, tính trên {money(caps['bhxh_bhyt'])} / "
            f"wage above the BHXH/BHYT cap, computed on {caps['bhxh_bhyt']}"
        )
    if wage > caps["bhtn"]:
        warnings.append(
            f"Tiền lương vượt mức trần BHTN, tính trên {money(caps['bhtn'])} / "
            f"wage above the BHTN cap, computed on {caps['bhtn']}"
        )

    return {
        "wage": wage,
        "date": day.isoformat(),
        "region": region,
        "regional_minimum_wage": minimum,
        "bhxh_bhyt_wage": bhxh_wage,
        "bhtn_wage": bhtn_wage,
        "caps": caps,
        "employer": parties["employer"],
        "employee": parties["employee"],
        "employer_funds": employer_funds,
        "total": parties["employer"]["total"] + parties["employee"]["total"],
        "rates": rates,
        "reduced_occupational": reduced_occupational,
        "warnings": warnings,
        "rule_version": r.version,
        "sources": sources,
    }
