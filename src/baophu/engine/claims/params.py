"""The claims engine's figures, read by date: the legal bed-day floor (``rules/parameters.toml``)
and the appraisal team's policy choices (``rules/policy.toml``), and the cost groups of the
Ministry's MA_NHOM codes (report B04).  Nothing here reads a table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from baophu.rules import Rules, get_policy, get_rules

INPATIENT_TYPES = ("03", "04", "09")  # inpatient, day inpatient, inpatient under 4 hours
STAY_TYPE = "03"  # the average length of stay is measured on inpatient stays
# bed-days are never billable on these (outpatient visits, records, chronic care, drugs)
OUTPATIENT_TYPES = ("01", "02", "05", "07", "08")

# MA_NHOM → B04 cost group (docs/claims.md); drug lines (XML2) are "drugs" whatever their group.
COST_GROUPS: dict[str, tuple[str, ...]] = {
    "lab": ("1",),
    "imaging": ("2", "3"),
    "drugs": ("4", "5", "6"),
    "surgery": ("8", "18"),
    "supplies": ("10", "11"),
    "bed": ("14", "15", "16"),
}
IMAGING_GROUPS = ("2",)


@dataclass(frozen=True)
class ClaimParams:
    """Thresholds in force on a day (``ClaimParams.on(day)``)."""

    bed_min_hours: float
    readmission_days: int
    long_stay_factor: float
    period_months: int
    peer_high: float
    peer_low: float
    outlier_z: float
    score_cap: float
    recent_months: int
    review_size: int
    bed_source: str

    @classmethod
    def on(
        cls, day: dt.date, rules: Rules | None = None, policy: Rules | None = None
    ) -> ClaimParams:
        r = rules or get_rules()
        p = policy or get_policy()
        return cls(
            bed_min_hours=float(r.value("claims.bed_min_hours", day)),
            readmission_days=int(p.value("claims.readmission_days", day)),
            long_stay_factor=float(p.value("claims.long_stay_factor", day)),
            period_months=int(p.value("claims.indicator_period_months", day)),
            peer_high=float(p.value("claims.peer_high_percentile", day)),
            peer_low=float(p.value("claims.peer_low_percentile", day)),
            outlier_z=float(p.value("claims.outlier_z", day)),
            score_cap=float(p.value("claims.score_cap", day)),
            recent_months=int(p.value("claims.projection_recent_months", day)),
            review_size=int(p.value("claims.review_list_size", day)),
            bed_source=str(r.source("claims.bed_min_hours", day)),
        )
