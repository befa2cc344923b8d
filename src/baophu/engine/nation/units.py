"""The nation's hierarchy below its provinces: every unit of every province (province,
office, commune, hamlet) with the coverage figures its province computed and its arrears, so
the national view can be drilled down from the nation to a hamlet (``nation_units``).

A unit's counts and rates are its province's ``coverage_by_unit`` row at the reference date
(the figures the province's own users see, under the province's definitions); its arrears
are the ``arrears_by_unit`` row of the same level and code (offices and communes; a hamlet
has none).  A province's parent is the nation (``ranking.NATION_CODE``).  Aggregates only:
no person is named here.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from baophu.engine.nation.ranking import COUNTS, NATION_CODE

MART_UNITS = "nation_units"
LEVELS = ("province", "office", "commune", "hamlet")
# the rate columns of coverage_by_unit carried as the province computed them
UNIT_RATES = ("bhyt_rate", "bhxh_rate", "bhtn_rate", "compulsory_rate", "voluntary_rate")
ARREARS = ("employers", "employers_late_3plus", "due_ytd", "late_amount", "late_3plus_amount")


def unit_rows(province_code: str, coverage: Table, arrears: Table) -> Table:
    """Every unit of one province's ``coverage_by_unit`` with its arrears (``ARREARS``, null
    where the compliance marts have no row for it) and its arrears ratio (late over due)."""
    cov = coverage.filter(coverage.level.isin(list(LEVELS)))
    cov = cov.select(
        "unit_code",
        "unit_name",
        "level",
        "reference_date",
        parent_code=ibis.ifelse(
            cov.level == "province", ibis.literal(NATION_CODE), cov.parent_code
        ),
        province_code=ibis.literal(province_code),
        **{c: cov[c].cast("int64") for c in COUNTS},
        **{r: cov[r].cast("float64") for r in UNIT_RATES},
    )
    arr = arrears.filter(arrears.dimension.isin(list(LEVELS))).select(
        _dimension=arrears.dimension,
        _code=arrears.unit_code,
        **{m: arrears[m].cast("int64") for m in ARREARS},
    )
    j = cov.left_join(arr, (cov.level == arr._dimension) & (cov.unit_code == arr._code))
    j = j.select(*cov.columns, *ARREARS)
    return j.mutate(
        arrears_ratio=ibis.ifelse(
            j.due_ytd > 0, j.late_amount.cast("float64") / j.due_ytd, ibis.null("float64")
        )
    )


def children(units: Table, parent_code: str) -> Table:
    """The units directly under ``parent_code`` (the provinces under ``NATION_CODE``),
    ordered by code."""
    t = units.filter(units.parent_code == parent_code)
    return t.order_by(t.province_code, t.unit_code)


def one_unit(units: Table, unit_code: str) -> Table:
    """The row of ``unit_code`` (unit codes are unique across provinces: a commune's code
    is national, an office's and a province's carry the province code)."""
    return units.filter(units.unit_code == unit_code)
