"""The generator takes legal figures from ``baophu.rules``: the retirement age by birth month
(Decree 135/2020/NĐ-CP, Appendix I) and the budget's share of BHYT (Decree 188/2025/NĐ-CP);
the expected values are the decrees' own examples."""

from __future__ import annotations

import numpy as np

from baophu.synth.budget import budget_share
from baophu.synth.rates import retirement_month, working_age_from


def test_retirement_month_follows_the_decree_appendix() -> None:
    birth = np.array(
        ["1961-01-20", "1961-10-05", "1966-04-01", "1966-01-15", "1966-09-09", "1975-05-30"],
        dtype="datetime64[D]",
    )
    female = np.array([False, False, False, True, True, True])
    # men 60y3m in 2021 (+3 months a year, 62y from 2028); women 55y4m (+4 months, 60y 2035)
    expected = ["2021-04", "2022-04", "2028-04", "2021-05", "2022-05", "2035-05"]
    assert retirement_month(birth, female).astype(str).tolist() == expected


def test_working_age_starts_on_the_fifteenth_birthday() -> None:
    birth = np.array(["2011-10-31", "2012-02-29"], dtype="datetime64[D]")
    # 29 February counts as 28 February in a common year (Civil Code, periods in years)
    assert working_age_from(birth).astype(str).tolist() == ["2026-10-31", "2027-02-28"]


def test_budget_share_by_group_and_month() -> None:
    # pupils: at least 30 % until the 2025-26 school year, 50 % from it; near-poor 70 %;
    # farming households of average standard 30 %; state-budget groups the whole amount
    assert budget_share("student", np.datetime64("2025-08", "M")) == 0.3
    assert budget_share("student", np.datetime64("2025-09", "M")) == 0.5
    assert budget_share("near_poor", np.datetime64("2026-01", "M")) == 0.7
    assert budget_share("farming_average", np.datetime64("2026-01", "M")) == 0.3
    assert budget_share("poor", np.datetime64("2026-01", "M")) == 1.0
