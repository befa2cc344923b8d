"""State-subsidy inputs of the potential lists: disadvantaged communes and benefit lists.

* **Disadvantaged communes** (xã vùng có điều kiện kinh tế - xã hội khó khăn): some rural
  communes are on the list; their ethnic-minority residents have BHYT paid by the state
  budget.  A few communes leave the list within a couple of months of the reference date
  (some just before it): those residents lose the subsidy and must pay themselves to keep
  five continuous years of BHYT.
* **Survivors** (người hưởng trợ cấp tuất hằng tháng): elderly residents receiving a monthly
  survivor allowance.  Under the amended BHYT law the state budget pays the BHYT of survivors
  aged 75 or more and of near-poor survivors aged 70 to 74; being new, a share of them is not
  yet enrolled.
* **Benefit lists** (the ``benefit_lists`` input): every social-pension recipient and every
  survivor, per commune, as the communes and the social-insurance database send them (a few
  IDs missing).  The truth file links each row to its person.

Each draw comes from its own random stream, so the other steps draw what they drew before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa

from baophu.contracts.tables import BENEFITS
from baophu.synth import noise
from baophu.synth.context import Context
from baophu.synth.dates import add_years
from baophu.synth.geography import Geography
from baophu.synth.people import People
from baophu.synth.schools import run_numbers
from baophu.synth.strings import date_array, take

DISADVANTAGED_SHARE = 0.15  # of rural communes
LEAVING_SHARE = 0.35  # of listed communes, leaving around the reference date
LIST_FROM = np.datetime64("2021-06-04", "D")  # Decision 861/QĐ-TTg (2021–2025 list)
LIST_DECISION = "Quyết định 861/QĐ-TTg ngày 04/06/2021"
LEAVING_DECISION = "Quyết định 1119/QĐ-TTg (giả lập)"
SURVIVOR_SHARE = {60: 0.03, 70: 0.06}  # of residents aged 60–69 / 70 and over
SURVIVOR_COVERAGE = 0.75  # of eligible survivors: enrolled by the state already
LAW_FROM = np.datetime64("2025-07-01", "D")  # amended BHYT law, new budget-paid groups
BENEFIT_ID_MISSING = 0.02
NAT = np.datetime64("NaT", "D")


@dataclass
class Disadvantaged:
    """Listed communes (commune index), their area, period and decision."""

    commune: np.ndarray
    area: list[str]
    valid_from: np.ndarray  # datetime64[D]
    valid_to: np.ndarray  # datetime64[D], NaT while listed
    decision: list[str]

    def by_commune(self, n_communes: int) -> tuple[np.ndarray, np.ndarray]:
        """Per commune: listed at all, and the last day listed (NaT while listed)."""
        listed = np.zeros(n_communes, dtype=bool)
        to = np.full(n_communes, NAT, dtype="datetime64[D]")
        listed[self.commune] = True
        to[self.commune] = self.valid_to
        return listed, to

    def table(self, geo: Geography) -> pa.Table:
        """The ``disadvantaged_communes`` contract."""
        return pa.table(
            {
                "commune_code": take(geo.arrow("commune_codes"), self.commune),
                "area": pa.array(self.area, pa.string()),
                "valid_from": date_array(self.valid_from),
                "valid_to": date_array(self.valid_to),
                "decision": pa.array(self.decision, pa.string()),
            }
        )


def build_disadvantaged(ctx: Context, geo: Geography) -> Disadvantaged:
    """Pick the listed rural communes and the ones leaving the list (see the docstring)."""
    rng = ctx.rng("disadvantaged")
    rural = np.flatnonzero(~geo.commune_is_urban)
    if not len(rural):
        rural = np.arange(geo.n_communes)
    k = min(len(rural), max(2, round(DISADVANTAGED_SHARE * len(rural))))
    chosen = np.sort(rng.choice(rural, size=k, replace=False))
    n_leave = min(k, max(1, round(LEAVING_SHARE * k)))
    leaving = np.zeros(k, dtype=bool)
    leaving[rng.choice(k, size=n_leave, replace=False)] = True
    as_of = ctx.as_of_d
    # leaving between 45 days before and 45 days after the reference date
    offset = rng.integers(-45, 46, k).astype("timedelta64[D]")
    valid_to = np.where(leaving, as_of + offset, NAT).astype("datetime64[D]")
    area = np.where(rng.random(k) < 0.6, "Khu vực III", "Khu vực II")
    return Disadvantaged(
        commune=chosen,
        area=[str(a) for a in area],
        valid_from=np.full(k, LIST_FROM, dtype="datetime64[D]"),
        valid_to=valid_to,
        decision=[LEAVING_DECISION if x else LIST_DECISION for x in leaving],
    )


@dataclass
class Survivors:
    """Residents receiving a monthly survivor allowance, and since when."""

    mask: np.ndarray  # bool per person
    since: np.ndarray  # datetime64[D] per person (NaT for others)


def build_survivors(ctx: Context, people: People) -> Survivors:
    """Draw the survivors among living residents aged 60 or more."""
    rng = ctx.rng("survivors")
    n = people.n
    age = people.age
    p = np.where(age >= 70, SURVIVOR_SHARE[70], np.where(age >= 60, SURVIVOR_SHARE[60], 0.0))
    mask = people.living & (rng.random(n) < p)
    since = np.full(n, NAT, dtype="datetime64[D]")
    idx = np.flatnonzero(mask)
    since[idx] = ctx.as_of_d - rng.integers(30, 12 * 365, len(idx)).astype("timedelta64[D]")
    return Survivors(mask=mask, since=since)


@dataclass
class BenefitLists:
    """Rows of the benefit lists, with the true person and the ID noise of each."""

    table: pa.Table
    person: np.ndarray
    id_noise: np.ndarray


def build_benefit_lists(
    ctx: Context,
    geo: Geography,
    people: People,
    social_pension: np.ndarray,
    survivors: Survivors,
) -> BenefitLists:
    """One row per social-pension recipient and per survivor (living residents), by commune.

    ``social_pension`` flags the residents in the social-pension group on the reference
    date (a recipient's benefit starts at 75, and not before the law).
    """
    rng = ctx.rng("benefit_lists")
    living = people.living
    pension = np.flatnonzero(social_pension & living)
    surv = np.flatnonzero(survivors.mask & living)
    person = np.concatenate([pension, surv])
    benefit = np.concatenate(
        [np.zeros(len(pension), np.int64), np.ones(len(surv), np.int64)]
    )  # index into BENEFITS
    seventy_five = add_years(people.birth[pension], 75)
    since = np.concatenate([np.maximum(seventy_five, LAW_FROM), survivors.since[surv]])
    commune = people.commune[person]
    order = np.lexsort((person, benefit, commune))
    person, benefit, since, commune = (a[order] for a in (person, benefit, since, commune))
    row_no = run_numbers(commune * 2 + benefit)
    n = len(person)
    codes = noise.draw_codes(rng, n, {noise.ID_MISSING: BENEFIT_ID_MISSING})
    ids = noise.apply_id_noise(rng, people.ids(person), codes)
    month = np.datetime64(date(ctx.as_of.year, ctx.as_of.month, 1), "D")
    table = pa.table(
        {
            "list_month": date_array(np.full(n, month, dtype="datetime64[D]")),
            "benefit": take(list(BENEFITS), benefit),
            "commune_code": take(geo.arrow("commune_codes"), commune),
            "row_no": pa.array(row_no.astype(np.int64)),
            "person_id": ids,
            "full_name": people.full_names(rows=person),
            "sex": take(pa.array(["male", "female"]), people.female[person].astype(np.int64)),
            "birth_date": pa.array(people.birth[person], type=pa.date32()),
            "benefit_from": date_array(since),
            "benefit_to": date_array(np.full(n, NAT, dtype="datetime64[D]")),
        }
    )
    return BenefitLists(table=table, person=person, id_noise=codes)
