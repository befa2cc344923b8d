"""Households and people: the population register and the non-residents who appear in it.

Households are drawn with a realistic size distribution and placed in hamlets; members get
roles (head, spouse, children, parents, children-in-law, grandchildren) whose ages follow
from the head's age, which reproduces Vietnam's 2026 age pyramid closely enough.  Members
share the father's surname; spouses keep their own.  Every person gets a valid, unique
12-digit personal ID whose first three digits are the old province of birth registration.

Non-residents (workers commuting from other provinces, pupils registered elsewhere) are drawn
in the same pass so that all IDs are unique together; they have no household or hamlet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from baophu.synth import moves, names
from baophu.synth.context import Context
from baophu.synth.dates import year_of, years_between
from baophu.synth.geography import Geography, migrant_origin_weights, old_code_weights
from baophu.synth.strings import categorical, date_array, digits, int_strings, join, masked, take

RELATIONS = ("Chủ hộ", "Vợ", "Chồng", "Con", "Bố", "Mẹ", "Con dâu", "Con rể", "Cháu", "Khác")
HEAD, WIFE, HUSBAND, CHILD, FATHER, MOTHER, DAUGHTER_IN_LAW, SON_IN_LAW, GRANDCHILD, OTHER = range(
    10
)
HEAD_AGE_MEAN, HEAD_AGE_SD = 47.0, 14.0
ELDERLY_SCALE = 15.0  # mean years above 60 of elderly people living alone
CHILD_SPAN, CHILD_SKEW = 24.0, 0.55  # children's ages: span × U^skew below the mother's age − 19
P_GRANDPARENT = 0.5
HOUSEHOLD_SIZE_P = np.array([0.11, 0.20, 0.22, 0.24, 0.12, 0.07, 0.03, 0.01])
YOUNG_SHARE = 0.3  # of residents: aged 18 to 35 (who may leave the province alone)
DEATHS_PER_YEAR = 0.0068  # of residents (drawn in addition, so that the living are the target)
COMMUTER_SHARE = 0.05  # of the compulsory workforce, living in another province
# fmt: off
MOBILE_PREFIXES = np.array([
    32, 33, 34, 35, 36, 37, 38, 39, 70, 76, 77, 78, 79, 81, 82, 83,
    84, 85, 86, 88, 89, 90, 91, 93, 94, 96, 97, 98, 56, 58, 59,
])
# fmt: on


@dataclass
class People:
    """Everyone the generator knows, residents first (index-aligned numpy arrays)."""

    resident: np.ndarray  # bool
    household: np.ndarray  # int, -1 for non-residents
    member_no: np.ndarray  # int, 1-based within the household
    relation: np.ndarray  # int index into RELATIONS
    hamlet: np.ndarray  # int, -1 for non-residents
    commune: np.ndarray  # int, -1 for non-residents
    female: np.ndarray  # bool
    birth: np.ndarray  # datetime64[D]
    age: np.ndarray  # completed years on as_of
    ethnicity: np.ndarray  # int index into names.ETHNICITIES
    surname: np.ndarray
    middle: np.ndarray
    given: np.ndarray
    birth_code: np.ndarray  # old province code of birth registration
    person_id: pa.StringArray
    si_code: pa.Array  # legacy 10-digit code, null where never issued
    si_prefix: np.ndarray  # int, province part of si_code (-1 where none)
    phone: pa.Array
    death: np.ndarray  # datetime64[D], NaT when alive
    commuter: np.ndarray  # bool: non-resident worker
    resident_from: np.ndarray  # datetime64[D]: moved in that day (NaT: born here, or earlier)
    moved_out: np.ndarray  # datetime64[D]: left the province that day (NaT: still here)
    # households
    hh_hamlet: np.ndarray
    hh_first: np.ndarray  # index of the first member (the head)
    hh_size: np.ndarray
    hh_migrant: np.ndarray
    hh_id: pa.StringArray
    hh_address: pa.Array
    _names: pa.Array | None = None

    @property
    def n(self) -> int:
        return len(self.resident)

    @property
    def n_households(self) -> int:
        return len(self.hh_first)

    @property
    def alive(self) -> np.ndarray:
        return np.isnat(self.death)

    @property
    def living(self) -> np.ndarray:
        """Residents alive and still living here on the reference date (the population)."""
        return self.resident & np.isnat(self.death) & np.isnat(self.moved_out)

    def present(self, day: np.datetime64) -> np.ndarray:
        """Residents living here on ``day``: born, moved in, not dead, not moved out."""
        on = np.asarray(day, dtype="datetime64[D]")
        here = self.resident & (self.birth <= on)
        here &= np.isnat(self.resident_from) | (self.resident_from <= on)
        here &= np.isnat(self.death) | (self.death > on)
        return here & (np.isnat(self.moved_out) | (self.moved_out > on))

    @property
    def all_names(self) -> pa.Array:
        """Everyone's proper full name (rendered once, then cached)."""
        if self._names is None:
            self._names = names.render(self.surname, self.middle, self.given)
        return self._names

    def full_names(
        self, variant: np.ndarray | None = None, rows: np.ndarray | None = None
    ) -> pa.Array:
        """Rendered names of all people (or of ``rows``) in the given spelling variants."""
        if rows is None:
            rows = np.arange(self.n)
        proper = self.all_names.take(pa.array(rows, type=pa.int64()))
        if variant is None or not variant.any():
            return proper
        return names.respell(
            proper, self.surname[rows], self.middle[rows], self.given[rows], variant
        )

    def ids(self, rows: np.ndarray) -> pa.Array:
        return self.person_id.take(pa.array(rows))


def _draw_sizes(rng: np.random.Generator, n_people: int) -> np.ndarray:
    mean = float((np.arange(1, 9) * HOUSEHOLD_SIZE_P).sum())
    sizes = rng.choice(np.arange(1, 9), size=int(n_people / mean * 1.1) + 10, p=HOUSEHOLD_SIZE_P)
    cum = np.cumsum(sizes)
    k = int(np.searchsorted(cum, n_people)) + 1
    sizes = sizes[:k].copy()
    sizes[-1] -= int(cum[k - 1] - n_people)
    return sizes[sizes > 0]


def _uniform(
    rng: np.random.Generator, lo: np.ndarray | float, hi: np.ndarray | float, n: int
) -> np.ndarray:
    return lo + (np.asarray(hi) - np.asarray(lo)) * rng.random(n)


def _ages_and_roles(
    rng: np.random.Generator, sizes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Age (float years), female flag, relation and household index of every member."""
    h = len(sizes)
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    hh = np.repeat(np.arange(h), sizes)
    k = np.arange(len(hh)) - first[hh]
    n = len(hh)

    # head
    single = sizes == 1
    mix = rng.random(h)
    head_age = np.clip(
        rng.normal(HEAD_AGE_MEAN, HEAD_AGE_SD, h) + np.where(sizes >= 5, 5.0, 0.0), 21, 95
    )
    single_age = np.where(
        mix < 0.38,
        _uniform(rng, 19, 36, h),
        np.where(
            mix < 0.58,
            _uniform(rng, 36, 60, h),
            np.minimum(60 + rng.exponential(ELDERLY_SCALE, h), 99),
        ),
    )
    head_age = np.where(single, single_age, head_age)
    head_female = rng.random(h) < np.where(single, np.where(head_age > 60, 0.68, 0.45), 0.27)
    spouse = (sizes >= 2) & (rng.random(h) < np.where(head_age > 75, 0.55, 0.86))
    spouse_age = np.maximum(18, head_age + np.where(head_female, 3.0, -3.0) + rng.normal(0, 3.5, h))
    old_family = head_age >= 52
    mother_age = np.where(spouse & ~head_female, spouse_age, head_age)

    def per_member(values: np.ndarray) -> np.ndarray:
        return np.take(values, hh)

    ha, ma, sz = per_member(head_age), per_member(mother_age), per_member(sizes)
    has_spouse, head_f, old = per_member(spouse), per_member(head_female), per_member(old_family)
    is_head = k == 0
    is_spouse = (k == 1) & has_spouse
    other = ~is_head & ~is_spouse
    slot = k - 1 - has_spouse  # 0 for the first member after head and spouse
    female = np.where(is_head, head_f, np.where(is_spouse, ~head_f, rng.random(n) < 0.488))

    # young families: children, sometimes a grandparent (the head's parent) at the end
    young = other & ~old
    child_age = np.clip(ma - 19.0, 0.5, CHILD_SPAN) * rng.random(n) ** CHILD_SKEW
    p_grand = np.where(sz >= 4, P_GRANDPARENT, P_GRANDPARENT / 3)
    grandparent = young & (k == sz - 1) & (sz >= 3) & (rng.random(n) < p_grand)
    grandparent_age = np.minimum(100, ha + _uniform(rng, 22, 38, n))

    # old families: adult child, child-in-law, a sibling of the adult child, grandchildren
    adult_child_age = np.maximum(16.0, ha - _uniform(rng, 21, 34, n))
    first_child = old & other & (slot == 0)
    first_child_age = np.zeros(h)
    first_child_age[hh[first_child]] = adult_child_age[first_child]
    first_child_female = np.zeros(h, dtype=bool)
    first_child_female[hh[first_child]] = female[first_child]
    fca, fcf = per_member(first_child_age), per_member(first_child_female)
    in_law = old & other & (slot == 1) & (rng.random(n) < 0.6) & (fca >= 20)
    female = np.where(in_law, ~fcf, female)
    sibling = old & other & ~first_child & ~in_law & (slot == 1)
    grandchild = old & other & ~first_child & ~in_law & ~sibling

    age = np.select(
        [is_head, is_spouse, grandparent, young, first_child, in_law, sibling, grandchild],
        [
            ha,
            per_member(spouse_age),
            grandparent_age,
            child_age,
            adult_child_age,
            np.maximum(18, fca + rng.normal(0, 3, n)),
            np.maximum(10, adult_child_age - _uniform(rng, 2, 9, n)),
            np.clip(fca - 20.0, 3.0, 17.9) * rng.random(n) ** CHILD_SKEW,
        ],
        0.0,
    )
    relation = np.select(
        [is_head, is_spouse, grandparent, in_law, grandchild],
        [
            HEAD,
            np.where(female, WIFE, HUSBAND),
            np.where(female, MOTHER, FATHER),
            np.where(female, DAUGHTER_IN_LAW, SON_IN_LAW),
            GRANDCHILD,
        ],
        CHILD,
    ).astype(np.int64)
    return age, female, relation, hh


def build_people(
    ctx: Context, geo: Geography, n_required_workers: int, n_extra_pupils_share: float = 0.003
) -> People:
    """Draw households, residents and non-residents for ``ctx`` (see the module docstring)."""
    rng = ctx.rng("people")
    n_res = max(50, round(ctx.province.population * ctx.scale))
    n_gone = round(n_res * moves.out_share(ctx))
    years = moves.window_years(ctx)
    n_alone = round(n_res * moves.OUT_YOUNG_PER_YEAR * years * YOUNG_SHARE)
    n_dead = round(n_res * DEATHS_PER_YEAR * years)
    sizes = _draw_sizes(rng, n_res + n_gone + n_alone + n_dead)
    h = len(sizes)
    # households are exchangeable, so sorting their hamlets orders them by hamlet
    hh_hamlet = np.sort(np.searchsorted(np.cumsum(geo.hamlet_share), rng.random(h) * 0.999999999))
    hh_hamlet = np.minimum(hh_hamlet, geo.n_hamlets - 1)
    hh_first = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    age_f, female, relation, hh = _ages_and_roles(rng, sizes)

    # ethnicity and migration are household traits
    eth_p = names.ethnicity_weights(ctx.province.profile)
    hh_eth = rng.choice(len(eth_p), size=h, p=eth_p).astype(np.int8)
    hh_migrant = rng.random(h) < ctx.province.migrant_share

    # non-residents: commuting workers and a few pupils registered elsewhere
    n_comm = round(COMMUTER_SHARE * n_required_workers)
    n_pup = round(n_extra_pupils_share * n_res)
    n_non = n_comm + n_pup
    nr_age = np.concatenate(
        [np.clip(rng.normal(33, 8, n_comm), 19, 55), _uniform(rng, 6, 17.9, n_pup)]
    )
    nr_female = rng.random(n_non) < 0.5

    n_all = len(hh) + n_non
    resident = np.zeros(n_all, dtype=bool)
    resident[: len(hh)] = True
    household = np.concatenate([hh, np.full(n_non, -1)])
    member_no = np.concatenate([np.arange(len(hh)) - hh_first[hh] + 1, np.zeros(n_non, int)])
    relation = np.concatenate([relation, np.full(n_non, OTHER)])
    hamlet = np.concatenate([hh_hamlet[hh], np.full(n_non, -1)])
    commune = np.where(hamlet >= 0, geo.hamlet_commune[np.maximum(hamlet, 0)], -1)
    female = np.concatenate([female, nr_female])
    age_f = np.concatenate([age_f, nr_age])
    commuter = np.zeros(n_all, dtype=bool)
    commuter[len(hh) : len(hh) + n_comm] = True

    as_of = ctx.as_of_d
    birth = (as_of - np.floor(age_f * 365.25).astype("timedelta64[D]")).astype("datetime64[D]")
    age = years_between(birth, as_of)
    birth_year = year_of(birth)

    ethnicity = np.concatenate([hh_eth[hh], np.zeros(n_non, dtype=np.int8)])

    # names: surname rules by role, middle and given names by sex and cohort
    sur_draw = names.draw_surnames(rng, ethnicity)
    head_idx = hh_first[np.maximum(household, 0)]
    head_sur = sur_draw[head_idx]
    spouse_idx = np.where(sizes[np.maximum(household, 0)] >= 2, head_idx + 1, head_idx)
    spouse_is_husband = relation[spouse_idx] == HUSBAND
    head_male = ~female[head_idx]
    father_sur = np.where(
        head_male, head_sur, np.where(spouse_is_husband, sur_draw[spouse_idx], head_sur)
    )
    surname = sur_draw.copy()
    blood = np.isin(relation, (CHILD, FATHER)) & resident
    surname[blood] = father_sur[blood]
    gc = (relation == GRANDCHILD) & (rng.random(n_all) < 0.7)
    surname[gc] = father_sur[gc]
    # a few children carry the mother's surname
    maternal = (relation == CHILD) & (rng.random(n_all) < 0.03)
    surname[maternal] = sur_draw[maternal]
    middle, given = names.draw_middle_and_given(rng, female, birth_year)

    # place of birth registration
    own_codes, own_w = old_code_weights(ctx.province)
    mig_codes, mig_w = migrant_origin_weights(ctx.province)
    native_code = rng.choice(own_codes, size=n_all, p=own_w)
    hh_origin = rng.choice(mig_codes, size=h, p=mig_w)
    person_origin = np.concatenate([hh_origin[hh], rng.choice(mig_codes, size=n_non, p=mig_w)])
    person_migrant = np.concatenate([hh_migrant[hh], np.ones(n_non, dtype=bool)])
    born_away = person_migrant & ((age >= 16) | (rng.random(n_all) < 0.3))
    born_away &= ~(~resident & (age < 18) & (rng.random(n_all) < 0.5))
    birth_code = np.where(born_away, person_origin, native_code)

    id_int = _unique_ids(rng, birth_code, female, birth_year)
    person_id = digits(id_int, 12)

    # legacy social-insurance codes: most people who ever held a BHYT card or paid BHXH
    p_si = np.where(age < 6, 0.93, np.where(age < 18, 0.96, 0.9))
    has_si = rng.random(n_all) < p_si
    si_prefix = np.where(
        np.isin(birth_code, own_codes) | ~resident,
        birth_code,
        rng.choice(own_codes, size=n_all, p=own_w),
    )
    perm = (np.arange(n_all, dtype=np.int64) * 7_654_321 + int(rng.integers(0, 10**8))) % 10**8
    si_int = si_prefix * 10**8 + perm
    si_code = masked(digits(si_int, 10), ~has_si)
    si_prefix = np.where(has_si, si_prefix, -1)

    has_phone = (age >= 15) & (rng.random(n_all) < 0.8)
    phone_int = rng.choice(MOBILE_PREFIXES, size=n_all) * 10**7 + rng.integers(0, 10**7, n_all)
    phone = masked(digits(phone_int, 9, prefix="0"), ~has_phone)

    # deaths, moving in and moving out within the simulated window (see ``moves``)
    hh_gone = moves.pick_moved_out_households(ctx, sizes, hh_migrant, n_gone)
    death, resident_from, moved_out = moves.draw_moves(
        ctx,
        resident,
        household,
        relation,
        np.isin(relation, (HEAD, WIFE, HUSBAND)),
        birth,
        age_f,
        hh_migrant,
        hh_gone,
        np.isin(relation, (DAUGHTER_IN_LAW, SON_IN_LAW)),
    )

    # household identifiers and addresses
    h_rank = np.arange(h) - np.searchsorted(hh_hamlet, hh_hamlet, side="left")
    hamlet_codes = geo.arrow("hamlet_codes")
    hh_id = join(take(hamlet_codes, hh_hamlet), digits(h_rank + 1, 6))
    label = join(
        geo.arrow("hamlet_names"), ", ", take(geo.arrow("commune_names"), geo.hamlet_commune)
    )
    house_no = rng.integers(1, 400, h)
    hh_address = join("Số ", int_strings(house_no), ", ", take(label, hh_hamlet))

    return People(
        resident=resident,
        household=household,
        member_no=member_no,
        relation=relation,
        hamlet=hamlet,
        commune=commune,
        female=female,
        birth=birth,
        age=age,
        ethnicity=ethnicity,
        surname=surname,
        middle=middle,
        given=given,
        birth_code=birth_code,
        person_id=person_id,
        si_code=si_code,
        si_prefix=si_prefix,
        phone=phone,
        death=death,
        commuter=commuter,
        resident_from=resident_from,
        moved_out=moved_out,
        hh_hamlet=hh_hamlet,
        hh_first=hh_first,
        hh_size=sizes,
        hh_migrant=hh_migrant,
        hh_id=hh_id,
        hh_address=hh_address,
    )


def _unique_ids(
    rng: np.random.Generator, birth_code: np.ndarray, female: np.ndarray, birth_year: np.ndarray
) -> np.ndarray:
    """Valid 12-digit IDs as integers, unique across everyone (serials permuted per group)."""
    century_base = np.select(
        [birth_year < 1900, birth_year < 2000, birth_year < 2100], [8, 0, 2], 4
    )
    digit4 = century_base + female.astype(np.int64)
    group = (birth_code * 10 + digit4) * 100 + birth_year % 100
    n = len(group)
    # stable two-pass radix sort on 16-bit keys (group < 100,000)
    low = np.argsort((group % 1000).astype(np.uint16), kind="stable")
    order = low[np.argsort(np.take(group // 1000, low).astype(np.uint16), kind="stable")]
    sorted_g = np.take(group, order)
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = sorted_g[1:] != sorted_g[:-1]
    positions = np.arange(n)
    start = np.maximum.accumulate(np.where(new_group, positions, 0))
    group_no = np.cumsum(new_group) - 1  # 0, 1, ... in sorted group order
    offsets = rng.integers(0, 10**6, int(new_group.sum()))
    rank = positions - start
    if rank.max(initial=0) >= 10**6:
        raise ValueError("too many people in one ID group")
    serial = np.empty(n, dtype=np.int64)
    serial[order] = (rank * 382_417 + np.take(offsets, group_no)) % 10**6
    return group * 10**6 + serial


def residents_table(people: People, geo: Geography) -> pa.Table:
    """The ``residents`` contract (the population register), in household order: everyone
    who lived here during the history, the dead and those who moved out with their date."""
    n = int(people.resident.sum())  # residents come first
    death = people.death[:n]
    return pa.table(
        {
            "person_id": people.person_id.slice(0, n),
            "full_name": people.all_names.slice(0, n),
            "sex": categorical(people.female[:n].astype(np.int8), ["male", "female"]),
            "birth_date": pa.array(people.birth[:n], type=pa.date32()),
            "ethnicity": categorical(people.ethnicity[:n], list(names.ETHNICITIES)),
            "household_id": categorical(people.household[:n], people.hh_id),
            "relation_to_head": categorical(people.relation[:n], list(RELATIONS)),
            "hamlet_code": categorical(people.hamlet[:n], geo.arrow("hamlet_codes")),
            "phone": people.phone.slice(0, n),
            "si_code": people.si_code.slice(0, n),
            "death_date": pa.array(death, type=pa.date32(), mask=np.isnat(death)),
            "moved_in_date": date_array(people.resident_from[:n]),
            "moved_out_date": date_array(people.moved_out[:n]),
        }
    )


def households_table(people: People, geo: Geography) -> pa.Table:
    """The ``households`` contract."""
    return pa.table(
        {
            "household_id": people.hh_id,
            "hamlet_code": take(geo.arrow("hamlet_codes"), people.hh_hamlet),
            "address": people.hh_address,
            "head_person_id": people.ids(people.hh_first),
        }
    )
