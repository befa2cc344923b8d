"""Poor, near-poor and average-living-standard farming households, and the communes' lists.

Communes confirm these lists each year; they are typed by hand, so the Excel files the
province receives carry missing and mistyped IDs and misspelt names.  Some near-poor
statuses end within two months after the reference date (those members lose their BHYT
subsidy and must pay themselves to keep five continuous years).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa

from baophu.synth import noise
from baophu.synth.context import Context
from baophu.synth.geography import Geography
from baophu.synth.people import People
from baophu.synth.strings import date_array, take

KINDS = ("poor", "near_poor", "farming_average")
POOR, NEAR_POOR, FARMING = range(3)
# probability per household: (urban, rural)
P_KIND = {POOR: (0.006, 0.016), NEAR_POOR: (0.012, 0.03), FARMING: (0.004, 0.06)}
MINORITY_FACTOR = 2.5
LIST_NOISE = {"id_missing": 0.05, "id_mistyped": 0.03, "no_diacritics": 0.05, "typo": 0.02}


@dataclass
class Classifications:
    """One classification per classified household."""

    household: np.ndarray
    kind: np.ndarray
    valid_from: np.ndarray  # datetime64[D]
    valid_to: np.ndarray  # datetime64[D], NaT when open
    list_year: int

    def person_kind(self, people: People, on: np.datetime64) -> np.ndarray:
        """Each person's classification in force on ``on`` (-1 when none)."""
        by_hh = np.full(people.n_households, -1, dtype=np.int64)
        valid = (self.valid_from <= on) & (np.isnat(self.valid_to) | (self.valid_to >= on))
        by_hh[self.household[valid]] = self.kind[valid]
        out = np.full(people.n, -1, dtype=np.int64)
        res = people.household >= 0
        out[res] = by_hh[people.household[res]]
        return out

    def person_record(self, people: People) -> np.ndarray:
        """Index into this object of each person's household classification (-1 when none)."""
        by_hh = np.full(people.n_households, -1, dtype=np.int64)
        by_hh[self.household] = np.arange(len(self.household))
        out = np.full(people.n, -1, dtype=np.int64)
        res = people.household >= 0
        out[res] = by_hh[people.household[res]]
        return out


def build_classifications(ctx: Context, geo: Geography, people: People) -> Classifications:
    """Draw which households are classified, and the validity of each status."""
    rng = ctx.rng("classifications")
    h = people.n_households
    urban = geo.commune_is_urban[geo.hamlet_commune[people.hh_hamlet]]
    minority = people.ethnicity[people.hh_first] != 0
    u = rng.random(h)
    kind = np.full(h, -1, dtype=np.int64)
    edge = np.zeros(h)
    for k, (p_urban, p_rural) in P_KIND.items():
        p = np.where(urban, p_urban, p_rural) * np.where(
            minority & (k != FARMING), MINORITY_FACTOR, 1.0
        )
        kind[(u >= edge) & (u < edge + p) & (kind < 0)] = k
        edge = edge + p
    hh = np.flatnonzero(kind >= 0)
    kind = kind[hh]
    n = len(hh)
    year = ctx.as_of.year
    jan1 = np.datetime64(date(year, 1, 1), "D")
    as_of = ctx.as_of_d
    span = max(1, int((as_of - jan1).astype(np.int64)) - 30)
    valid_from = np.where(
        rng.random(n) < 0.85, jan1, jan1 + 30 + rng.integers(0, span, n).astype("timedelta64[D]")
    )
    valid_from = valid_from.astype("datetime64[D]")
    valid_to = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    u = rng.random(n)
    ending_soon = (kind == NEAR_POOR) & (u < 0.15)
    valid_to[ending_soon] = as_of + rng.integers(1, 61, int(ending_soon.sum())).astype(
        "timedelta64[D]"
    )
    ended = (u >= 0.15) & (u < 0.20)
    gap = np.maximum(1, (as_of - valid_from).astype(np.int64) - 1)
    valid_to[ended] = valid_from[ended] + (gap[ended] * rng.random(int(ended.sum()))).astype(
        np.int64
    ).astype("timedelta64[D]")
    return Classifications(
        household=hh, kind=kind, valid_from=valid_from, valid_to=valid_to, list_year=year
    )


@dataclass
class HouseholdLists:
    """The rows of the communes' household lists, with what noise each row got."""

    table: pa.Table  # household_classifications contract (canonical values)
    commune: np.ndarray  # commune index per row (for splitting into files)
    person: np.ndarray  # true person per row
    id_noise: np.ndarray
    name_noise: np.ndarray


def build_household_lists(
    ctx: Context, geo: Geography, people: People, cls: Classifications
) -> HouseholdLists:
    """One row per living member of each classified household, with typing noise."""
    rng = ctx.rng("household_lists")
    record = cls.person_record(people)
    member = np.flatnonzero((record >= 0) & people.alive & np.isnat(people.moved_out))
    rec = record[member]
    # members numbered within their household, head first
    hh = people.household[member]
    first_of_hh = np.searchsorted(hh, hh, side="left")
    member_no = np.arange(len(member)) - first_of_hh + 1
    commune = geo.hamlet_commune[people.hamlet[member]]
    order = np.lexsort((member_no, hh, commune))
    member, rec, member_no, commune, hh = (a[order] for a in (member, rec, member_no, commune, hh))
    n = len(member)
    id_codes = noise.draw_codes(
        rng,
        n,
        {noise.ID_MISSING: LIST_NOISE["id_missing"], noise.ID_MISTYPED: LIST_NOISE["id_mistyped"]},
    )
    name_codes = noise.draw_codes(rng, n, {1: LIST_NOISE["no_diacritics"], 2: LIST_NOISE["typo"]})
    ids = noise.apply_id_noise(rng, people.ids(member), id_codes)
    table = pa.table(
        {
            "list_year": pa.array(np.full(n, cls.list_year, dtype=np.int64)),
            "commune_code": take(geo.arrow("commune_codes"), commune),
            "household_id": people.hh_id.take(pa.array(hh)),
            "classification": take(list(KINDS), cls.kind[rec]),
            "member_no": pa.array(member_no.astype(np.int64)),
            "person_id": ids,
            "full_name": people.full_names(name_codes, rows=member),
            "sex": take(pa.array(["male", "female"]), people.female[member].astype(np.int64)),
            "birth_date": pa.array(people.birth[member], type=pa.date32()),
            "valid_from": date_array(cls.valid_from[rec]),
            "valid_to": date_array(cls.valid_to[rec]),
        }
    )
    return HouseholdLists(
        table=table, commune=commune, person=member, id_noise=id_codes, name_noise=name_codes
    )
