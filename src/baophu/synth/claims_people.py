"""The insured residents as the claims see them: who they are, when a card covers them, which
card they show, where they are registered for primary care.

Built from the data shape of the enrolments — BHYT spells with a start, an end (open while
running), a participant group — and of the register (ID, sex, birth, death, hamlet), never
from how the generator made them.  A person's spells are merged into intervals of coverage
(touching or overlapping spells join), sorted by person, so that "is this person covered on
that day, and by which interval" is one binary search for a whole array of visits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from baophu.synth.claims_catalog import CARD_GROUP, LEVEL_DIGIT
from baophu.synth.claims_facilities import Facilities
from baophu.synth.geography import Geography

OPEN_END = np.datetime64("2099-12-31", "D")
_DAY = np.timedelta64(1, "D")


@dataclass
class Population:
    person_id: pa.Array  # str
    female: np.ndarray
    birth: np.ndarray  # datetime64[D]
    death: np.ndarray  # datetime64[D], NaT when alive
    commune: np.ndarray
    office: np.ndarray
    card_number: pa.Array  # str, one card number per person (15 characters)
    benefit: np.ndarray  # MUC_HUONG %
    registered: np.ndarray  # facility index of the card's primary-care registration
    # coverage intervals, sorted by (person, start)
    iv_person: np.ndarray
    iv_start: np.ndarray  # datetime64[D]
    iv_end: np.ndarray  # datetime64[D] (OPEN_END while open)
    full_name: pa.Array

    @property
    def n(self) -> int:
        return len(self.female)

    def interval_at(self, person: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Index of the interval covering each (person, day), -1 where none does."""
        key_iv = self.iv_person.astype(np.int64) * 100_000 + _days(self.iv_start)
        key = person.astype(np.int64) * 100_000 + _days(day)
        at = np.searchsorted(key_iv, key, side="right") - 1
        safe = np.maximum(at, 0)
        ok = (at >= 0) & (self.iv_person[safe] == person) & (self.iv_end[safe] >= day)
        return np.where(ok, at, -1)


def _days(days: np.ndarray) -> np.ndarray:
    """Days since 1970 as int64, shifted positive (dates from 1900 on)."""
    return days.astype("datetime64[D]").astype(np.int64) + 40_000


def build_population(
    geo: Geography,
    facilities: Facilities,
    residents: pa.Table,
    spells: pa.Table,
    rng: np.random.Generator,
) -> Population:
    """``residents``: person_id, full_name, sex, birth_date, death_date, hamlet_code;
    ``spells``: person_id, participant_group, start_date, end_date (BHYT only)."""
    person_id = residents.column("person_id").combine_chunks()
    n = len(person_id)
    hamlet = pc.index_in(residents.column("hamlet_code"), value_set=geo.arrow("hamlet_codes"))
    hamlet_idx = pc.fill_null(hamlet, 0).to_numpy(zero_copy_only=False)
    commune = geo.hamlet_commune[hamlet_idx].astype(np.int64)
    office = geo.commune_office[commune].astype(np.int64)
    death = _dates(residents.column("death_date"))
    birth = _dates(residents.column("birth_date"))
    female = pc.equal(residents.column("sex"), "female").to_numpy(zero_copy_only=False)

    found = pc.index_in(spells.column("person_id"), value_set=person_id)
    who = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    keep = who >= 0
    sp_person = who[keep]
    sp_start = _dates(spells.column("start_date"))[keep]
    sp_end = _dates(spells.column("end_date"))[keep]
    sp_end = np.where(np.isnat(sp_end), OPEN_END, sp_end)
    groups = pc.dictionary_encode(
        spells.column("participant_group").combine_chunks().filter(pa.array(keep)).cast(pa.string())
    )
    group_index = groups.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    names = groups.dictionary.to_pylist()

    # the card: the group of the person's latest spell
    order = np.lexsort((sp_start, sp_person))
    last = np.ones(len(order), dtype=bool)
    last[:-1] = sp_person[order][1:] != sp_person[order][:-1]
    latest = order[last]
    household = list(CARD_GROUP).index("household")
    kind = np.full(n, household, dtype=np.int64)  # index into CARD_GROUP
    to_kind = np.array([list(CARD_GROUP).index(g) if g in CARD_GROUP else household for g in names])
    kind[sp_person[latest]] = to_kind[group_index[latest]]
    levels = np.array([level for _, level in CARD_GROUP.values()], dtype=np.int64)
    benefit = levels[kind]
    prefixes = pa.array(
        [code + LEVEL_DIGIT[level] + geo.province.code2 for code, level in CARD_GROUP.values()],
        pa.string(),
    )
    tail = pc.utf8_slice_codeunits(person_id, 2, 12)
    card_number = pc.binary_join_element_wise(prefixes.take(pa.array(kind)), tail, "")

    # primary-care registration: the commune's station mostly, else the area's centre
    station = facilities.station_of_commune[commune]
    regional = facilities.regional_of_office[office]
    registered = np.where(rng.random(n) < 0.7, station, regional)

    iv_person, iv_start, iv_end = _merge(sp_person[order], sp_start[order], sp_end[order])
    return Population(
        person_id=person_id,
        female=female,
        birth=birth,
        death=death,
        commune=commune,
        office=office,
        card_number=card_number,
        benefit=benefit,
        registered=registered,
        iv_person=iv_person,
        iv_start=iv_start,
        iv_end=iv_end,
        full_name=residents.column("full_name").combine_chunks(),
    )


def _dates(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    values = column.cast(pa.date32()) if not pa.types.is_date32(column.type) else column
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    days = values.to_numpy(zero_copy_only=False)
    return np.asarray(days, dtype="datetime64[D]")


def _merge(
    person: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spells sorted by (person, start) merged into disjoint intervals (touching ones join)."""
    if len(person) == 0:
        return person, start, end
    key_end = person.astype(np.int64) * 100_000 + _days(end)
    running = np.maximum.accumulate(key_end)
    previous = np.concatenate([[np.iinfo(np.int64).min], running[:-1]])
    key_start = person.astype(np.int64) * 100_000 + _days(start)
    begins = key_start > previous + 1
    first = np.nonzero(begins)[0]
    ends = np.maximum.reduceat(key_end, first) - person[first].astype(np.int64) * 100_000
    end_days = (ends - 40_000).astype("datetime64[D]")
    return person[first], start[first], end_days
