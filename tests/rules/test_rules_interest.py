"""Late-payment interest, deadlines and the start of evasion."""

from __future__ import annotations

from datetime import date

import pytest

from baophu.rules.errors import RuleNotInForceError, RulesInputError
from baophu.rules.interest import (
    daily_rate_on,
    daily_rates,
    evasion_from,
    interest_rate_periods,
    late_interest,
    late_interest_between,
    payment_deadline,
)


def test_worked_example() -> None:
    # 100,000,000 × 0.03 % × 30 = 900,000
    result = late_interest(100_000_000, 30, date(2026, 1, 1))
    assert result["interest"] == 900_000
    assert result["total"] == 100_900_000
    assert result["daily_rate"] == 0.0003
    assert result["approximate"] is False
    assert "41/2024" in result["sources"]["late_interest.daily_rate"]


def test_rounding_half_up() -> None:
    # 15,000 × 0.03 % × 1 = 4.5 → 5 (half-up; banker's rounding would give 4)
    assert late_interest(15_000, 1, date(2026, 1, 1))["interest"] == 5
    # 12,345 × 0.03 % × 1 = 3.7035 → 4
    assert late_interest(12_345, 1, date(2026, 1, 1))["interest"] == 4


def test_before_law_41_is_flagged_as_approximate() -> None:
    result = late_interest(100_000_000, 30, date(2025, 6, 1))
    assert result["approximate"] is True
    assert result["notes"]


def test_zero_days() -> None:
    assert late_interest(100_000_000, 0, date(2026, 1, 1))["interest"] == 0


@pytest.mark.parametrize(("amount", "days"), [(-1, 30), (100, -1), (100, 1.5)])
def test_bad_input(amount: object, days: object) -> None:
    with pytest.raises(RulesInputError):
        late_interest(amount, days, date(2026, 1, 1))  # type: ignore[arg-type]


def test_daily_rate_helpers() -> None:
    assert daily_rate_on(date(2026, 1, 1)) == 0.0003
    assert daily_rates([date(2025, 7, 1), "2026-02-01"]) == [0.0003, 0.0003]
    with pytest.raises(RuleNotInForceError):
        daily_rates([date(2010, 1, 1)])
    periods = interest_rate_periods()
    assert [p["effective_from"] for p in periods] == ["2016-01-01", "2025-07-01"]
    assert periods[-1]["effective_to"] is None
    assert periods[0]["status"] == "approximation"


def test_interest_between_crosses_a_period() -> None:
    # 2025-06-21 … 2025-07-10 = 10 days + 10 days = 20 days at 0.03 %:
    # 100,000,000 × 0.0003 × 20 = 600,000
    result = late_interest_between(100_000_000, date(2025, 6, 21), date(2025, 7, 10))
    assert result["days"] == 20
    assert result["interest"] == 600_000
    assert result["approximate"] is True
    assert len(result["sources"]) == 2


def test_payment_deadline_and_evasion() -> None:
    # contribution month 2025-12 → last day of 2026-01; + 60 days = 2026-04-01
    assert payment_deadline("2025-12") == date(2026, 1, 31)
    assert evasion_from("2025-12") == date(2026, 4, 1)
    # month 2026-01 → 2026-02-28 (not a leap year)
    assert payment_deadline(date(2026, 1, 15)) == date(2026, 2, 28)
    with pytest.raises(RulesInputError):
        payment_deadline("2026-13")
