"""Late payment: interest on late contributions, payment deadlines and the start of evasion.

Owns:

* ``late_interest``: interest = amount × daily rate × days, with the daily rate in force on
  the given date (``late_interest.daily_rate``: 0.03 %/day from 2025-07-01 under Law 41/2024
  Art. 40; before that an approximation of "twice the fund's investment return of the
  previous year" under Law 58/2014 Art. 122 — the parameter file marks it as such);
* ``late_interest_between``: the same over a span of days that may cross a rate change, each
  day at the rate in force that day;
* vectorisable helpers for engines: ``daily_rate_on``, ``daily_rates`` (one rate per date) and
  ``interest_rate_periods`` (the dated rates as rows to join on);
* ``payment_deadline``: for monthly payment, the last day of the month after the contribution
  month; ``evasion_from``: the day an unpaid amount counts as evasion.

How we read "evasion" (Law 41/2024 Art. 39, as read in DOMAIN.md): an amount still unpaid
``late.days_to_evasion`` (60) days or more after the payment deadline is evasion, so the first
day of evasion is deadline + 60 days.

Rounding (as stated in ``parameters.toml``): the interest is computed exactly and rounded
half-up to the whole dong once.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from baophu.rules.errors import RuleNotInForceError, RulesInputError
from baophu.rules.money import check_amount, dec, round_vnd
from baophu.rules.parameters import Rules, as_date, as_year_month, resolve

RATE_KEY = "late_interest.daily_rate"
EVASION_KEY = "late.days_to_evasion"


def daily_rate_on(on: date | datetime | str, rules: Rules | None = None) -> float:
    """The daily late-interest rate in force on ``on`` (a fraction: 0.0003 = 0.03 %/day)."""
    return float(resolve(rules).value(RATE_KEY, on))


def daily_rates(dates: Iterable[date | datetime | str], rules: Rules | None = None) -> list[float]:
    """The daily rate for each date, in order — the vectorised form of ``daily_rate_on``."""
    r = resolve(rules)
    periods = r.entries(RATE_KEY)
    out: list[float] = []
    for raw in dates:
        day = as_date(raw)
        for entry in periods:
            if entry.in_force(day):
                out.append(float(entry.value))
                break
        else:
            out.append(daily_rate_on(day, r))  # raises the bilingual "not in force" error
    return out


def interest_rate_periods(rules: Rules | None = None) -> list[dict[str, Any]]:
    """The dated daily rates as rows ``{effective_from, effective_to, daily_rate, source,
    status}`` (ISO dates, ``effective_to`` None when open) for a range join in an engine."""
    return [
        {
            "effective_from": row["effective_from"],
            "effective_to": row["effective_to"],
            "daily_rate": float(row["value"]),
            "source": row["source"],
            "status": row["status"],
        }
        for row in resolve(rules).periods(RATE_KEY)
    ]


def _check_days(days: object) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise RulesInputError(
            f"Số ngày chậm đóng phải là số nguyên không âm, nhận {days!r}",
            f"days late must be a whole number, zero or more, got {days!r}",
        )
    return days


def late_interest(
    amount: int, days: int, on: date | datetime | str, *, rules: Rules | None = None
) -> dict[str, Any]:
    """Interest on a late ``amount`` for ``days`` days at the daily rate in force on ``on``.

    Returns ``{"amount", "days", "date", "daily_rate", "interest", "total", "approximate",
    "notes", "rule_version", "sources"}``; ``total`` = amount + interest.
    """
    r = resolve(rules)
    day = as_date(on)
    amount = check_amount(amount, "Số tiền chậm đóng", "late amount")
    days = _check_days(days)
    entry = r.entry(RATE_KEY, day)
    rate = float(entry.value)
    interest = round_vnd(dec(amount) * dec(rate) * days)
    notes = []
    if entry.approximate:
        notes.append(
            f"Lãi suất ngày này là giá trị gần đúng ({entry.status}); xem nguồn / "
            f"the rate for this date is an {entry.status}; see the source"
        )
    elif entry.status == "unverified":
        notes.append(
            "Điều khoản nguồn của lãi suất này chưa được đối chiếu với văn bản; xem nguồn / "
            "the article this rate comes from has not been checked against the text; see the "
            "source"
        )
    return {
        "amount": amount,
        "days": days,
        "date": day.isoformat(),
        "daily_rate": rate,
        "interest": interest,
        "total": amount + interest,
        "approximate": entry.approximate,
        "notes": notes,
        "rule_version": r.version,
        "sources": {RATE_KEY: entry.source},
    }


def late_interest_between(
    amount: int,
    first_day: date | datetime | str,
    last_day: date | datetime | str,
    *,
    rules: Rules | None = None,
) -> dict[str, Any]:
    """Interest on ``amount`` for every day from ``first_day`` to ``last_day`` inclusive, each
    day at the rate in force that day (rounded once, half-up, at the end)."""
    r = resolve(rules)
    start, end = as_date(first_day), as_date(last_day)
    amount = check_amount(amount, "Số tiền chậm đóng", "late amount")
    if end < start:
        raise RulesInputError(
            f"Ngày cuối {end.isoformat()} trước ngày đầu {start.isoformat()}",
            f"last day {end.isoformat()} is before first day {start.isoformat()}",
        )
    total_rate = Decimal(0)
    sources: dict[str, str] = {}
    approximate = False
    day = start
    while day <= end:
        entry = r.entry(RATE_KEY, day)
        period_end = min(entry.effective_to or end, end)
        span = (period_end - day).days + 1
        total_rate += dec(float(entry.value)) * span
        sources[f"{RATE_KEY}@{entry.effective_from.isoformat()}"] = entry.source
        approximate = approximate or entry.approximate
        day = period_end + timedelta(days=1)
    interest = round_vnd(dec(amount) * total_rate)
    return {
        "amount": amount,
        "first_day": start.isoformat(),
        "last_day": end.isoformat(),
        "days": (end - start).days + 1,
        "interest": interest,
        "total": amount + interest,
        "approximate": approximate,
        "rule_version": r.version,
        "sources": sources,
    }


def payment_deadline(contribution_month: date | datetime | str) -> date:
    """Last day to pay a monthly contribution: the last day of the month after the month."""
    year, month = as_year_month(contribution_month)
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, calendar.monthrange(year, month)[1])


def evasion_from(contribution_month: date | datetime | str, rules: Rules | None = None) -> date:
    """First day on which a still-unpaid contribution for the month counts as evasion."""
    deadline = payment_deadline(contribution_month)
    days = int(resolve(rules).value(EVASION_KEY, deadline))
    return deadline + timedelta(days=days)


def days_to_evasion(on: date | datetime | str, rules: Rules | None = None) -> int | None:
    """Days after the deadline from which an unpaid amount is evasion, under the law in force
    on ``on`` (Law 41/2024 from 2025-07-01); ``None`` before that law."""
    try:
        return int(resolve(rules).value(EVASION_KEY, on))
    except RuleNotInForceError:
        return None
