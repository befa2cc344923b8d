"""The provinces side by side: one row per province from its own marts, national totals,
ranks on every indicator and on the arrears ratio, and the provinces behind their targets.
The nation's insured count each person once, as a resident of their home province
(``province_ranking``).

A province's figures are the province rows of its ``coverage_by_unit`` (counts and rates at
the reference date), of ``arrears_by_unit`` (dimension ``province``) and of
``achievement_by_unit`` (the ``units`` hierarchy).  National rates are sums of counts over
sums of denominators, never averages of rates.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

# indicator -> (count column, denominator column) of coverage_by_unit
RATES: dict[str, tuple[str, str]] = {
    "bhyt_rate": ("bhyt_insured", "population"),
    "bhxh_rate": ("bhxh_participants", "labour_force"),
    "bhtn_rate": ("bhtn_participants", "labour_force"),
    "compulsory_rate": ("compulsory_participants", "compulsory_required"),
    "voluntary_rate": ("voluntary_participants", "voluntary_pool"),
}
# indicator -> its Vietnamese name (the national view's columns and chart)
RATE_VI: dict[str, str] = {
    "bhyt_rate": "Tỷ lệ bao phủ BHYT",
    "bhxh_rate": "Tỷ lệ tham gia BHXH",
    "bhtn_rate": "Tỷ lệ tham gia BHTN",
    "compulsory_rate": "BHXH bắt buộc so với diện phải tham gia",
    "voluntary_rate": "BHXH tự nguyện so với diện có thể tham gia",
    "arrears_ratio": "Tỷ lệ nợ so với số phải thu",
}
COUNTS = (
    "population",
    "labour_force",
    "bhyt_insured",
    "bhxh_participants",
    "bhtn_participants",
    "compulsory_participants",
    "compulsory_required",
    "voluntary_participants",
    "voluntary_pool",
    "residents_insured_elsewhere",
    "bhyt_insured_nonresident",
    "bhxh_participants_nonresident",
    "residents_bhxh_elsewhere",
    "bhtn_participants_nonresident",
    "residents_bhtn_elsewhere",
)
# a count -> (its non-resident part, the residents counted only in another province)
NATIONAL_INSURED: dict[str, tuple[str, str]] = {
    "bhyt_insured": ("bhyt_insured_nonresident", "residents_insured_elsewhere"),
    "bhxh_participants": ("bhxh_participants_nonresident", "residents_bhxh_elsewhere"),
    "bhtn_participants": ("bhtn_participants_nonresident", "residents_bhtn_elsewhere"),
}
MONEY = ("due_ytd", "late_amount", "late_3plus_amount", "employers", "employers_late_3plus")
NATION_CODE = "VN"
NATION_NAME = "Toàn quốc"


def province_row(coverage: Table, arrears: Table) -> Table:
    """The one province row of a province workspace: its coverage counts and its arrears."""
    cov = coverage.filter(coverage.level == "province").select(
        "unit_code", "unit_name", "reference_date", *COUNTS
    )
    arr = arrears.filter(arrears.dimension == "province").select(
        arrears_code=arrears.unit_code, **{m: arrears[m] for m in MONEY}
    )
    joined = cov.left_join(arr, cov.unit_code == arr.arrears_code)
    return joined.select(*[c for c in joined.columns if c != "arrears_code"])


def province_ranking(rows: Table) -> Table:
    """Every province with its rates, its rank on each rate (1 = highest) and on the arrears
    ratio (1 = lowest), and the nation as one more row (rank 0).

    The nation's insured (BHYT, BHXH, BHTN) are its provinces' residents insured in any
    province: a province's own count less its non-residents plus its residents insured only
    elsewhere, summed — so a person insured across a border counts once, in their home
    province, and a participant no register names does not count (``NATIONAL_INSURED``).
    Compulsory participants stay counted at their workplace, like ``compulsory_required``."""
    provinces = rows.mutate(
        level=ibis.literal("province"), **{c: rows[c].cast("int64") for c in (*COUNTS, *MONEY)}
    )
    national = {
        c: rows[c] - rows[nonresident] + rows[elsewhere]
        for c, (nonresident, elsewhere) in NATIONAL_INSURED.items()
    }
    totals = rows.aggregate(
        reference_date=rows.reference_date.max(),
        # counts stay int64: DuckDB sums BIGINT into HUGEINT while Ibis types the sum int64
        # (so a cast to int64 is dropped); through float64 (exact below 2**53) it is kept
        **{
            c: national.get(c, rows[c]).sum().cast("float64").cast("int64")
            for c in (*COUNTS, *MONEY)
        },
    ).mutate(
        unit_code=ibis.literal(NATION_CODE),
        unit_name=ibis.literal(NATION_NAME),
        level=ibis.literal("nation"),
    )
    both = ibis.union(provinces, totals.select(*provinces.columns), distinct=False)
    rated = both.mutate(
        **{
            name: ibis.ifelse(both[den] > 0, both[num].cast("float64") / both[den], ibis.null())
            for name, (num, den) in RATES.items()
        },
        arrears_ratio=ibis.ifelse(
            both.due_ytd > 0, both.late_amount.cast("float64") / both.due_ytd, ibis.null()
        ),
    )
    is_province = rated.level == "province"
    ranks = {}
    for name in RATES:
        window = ibis.window(group_by=is_province, order_by=ibis.desc(rated[name]))
        ranks[f"{name}_rank"] = ibis.ifelse(
            is_province, (ibis.rank().over(window) + 1).cast("int64"), 0
        )
    window = ibis.window(group_by=is_province, order_by=rated.arrears_ratio)
    ranks["arrears_ratio_rank"] = ibis.ifelse(
        is_province, (ibis.rank().over(window) + 1).cast("int64"), 0
    )
    return rated.mutate(**ranks).order_by(ibis.desc(rated.level == "nation"), "unit_code")


def behind_targets(achievement: Table) -> Table:
    """The provinces' targets they are behind on at the reference date: where the count
    achieved is below the count the plan expected by now (``behind_plan`` > 0)."""
    a = achievement.filter(
        (achievement.level == "province")
        & (achievement.hierarchy == "units")
        & (achievement.behind_plan > 0)
    )
    return a.select(
        "unit_code",
        "unit_name",
        "year",
        "indicator",
        "target_people",
        "target_rate",
        "achieved",
        "expected_by_now",
        "behind_plan",
        "gap",
        "needed_per_week",
        "target_date",
    ).order_by(ibis.desc(a.behind_plan), "unit_code", "indicator")
