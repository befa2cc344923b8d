"""Field organisation: collection agents, their collectors, and the offices' case officers.

Every grassroots office works with two collection agents (the Post Office and Viettel Post);
each commune has collectors who each cover a few hamlets, and every hamlet has at least one
collector (some have two).  Officers are sized from the full-scale number of employers an
office serves, so the field organisation, like the geography, does not depend on the scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from baophu.synth import names
from baophu.synth.context import Context
from baophu.synth.geography import Geography
from baophu.synth.strings import ascii_fold, digits, masked

AGENT_KINDS = (("DL01", "Bưu điện"), ("DL02", "Viettel Post"))
HAMLETS_PER_COLLECTOR = 4
EMPLOYERS_PER_OFFICER = 250
FULL_SCALE_EMPLOYERS = 35_000  # Đồng Nai at scale 1.0


@dataclass
class Field:
    """Agents, collectors (with hamlets) and officers."""

    agent_codes: list[str]
    agent_names: list[str]
    agent_office: list[str]
    collector_codes: pa.StringArray  # one per collector
    collector_names: pa.Array
    collector_phone: pa.Array
    collector_agent: np.ndarray  # int index into agents
    assign_collector: np.ndarray  # collector index per (collector, hamlet) row
    assign_hamlet: np.ndarray  # hamlet index per row
    hamlet_collector: np.ndarray  # the primary collector of each hamlet
    officer_codes: list[str]
    officer_names: list[str]
    officer_office: np.ndarray  # int index into offices
    officer_email: list[str]

    def officers_of_office(self, office: int) -> np.ndarray:
        return np.flatnonzero(self.officer_office == office)


def _person_names(rng: np.random.Generator, n: int, female: np.ndarray) -> list[str]:
    eth = np.zeros(n, dtype=np.int8)
    sur = names.draw_surnames(rng, eth)
    year = rng.integers(1970, 2001, n)
    mid, giv = names.draw_middle_and_given(rng, female, year)
    return names.render(sur, mid, giv).to_pylist()


def build_field(ctx: Context, geo: Geography) -> Field:
    """Agents, collectors and officers of the province (independent of the scale)."""
    rng = ctx.rng("field")
    agent_codes, agent_names, agent_office = [], [], []
    for o, office in enumerate(geo.office_codes):
        stem = geo.office_names[o].removeprefix("BHXH cơ sở ")
        for suffix, kind in AGENT_KINDS:
            agent_codes.append(f"{office}{suffix}")
            agent_names.append(f"{kind} {stem}")
            agent_office.append(office)

    # collectors: hamlets of a commune split into runs of ~4
    coll_commune: list[int] = []
    assign_c: list[int] = []
    assign_h: list[int] = []
    coll_codes: list[str] = []
    primary = np.empty(geo.n_hamlets, dtype=np.int64)
    for c in range(geo.n_communes):
        hamlets = np.flatnonzero(geo.hamlet_commune == c)
        k = max(1, int(np.ceil(len(hamlets) / HAMLETS_PER_COLLECTOR)))
        base = len(coll_codes)
        for i in range(k):
            coll_codes.append(f"NVT{geo.commune_codes[c]}{i + 1:02d}")
            coll_commune.append(c)
        for j, hm in enumerate(np.array_split(hamlets, k)):
            for x in hm:
                assign_c.append(base + j)
                assign_h.append(int(x))
                primary[x] = base + j
        if k > 1:  # some hamlets are shared with a second collector of the commune
            for x in hamlets[rng.random(len(hamlets)) < 0.1]:
                other = base + (int(primary[x]) - base + 1) % k
                assign_c.append(other)
                assign_h.append(int(x))
    n_coll = len(coll_codes)
    office_of_coll = geo.commune_office[np.array(coll_commune)]
    coll_agent = office_of_coll * len(AGENT_KINDS) + rng.integers(0, len(AGENT_KINDS), n_coll)
    female = rng.random(n_coll) < 0.6
    coll_names = _person_names(rng, n_coll, female)
    phone_int = rng.choice([90, 91, 93, 94, 96, 97, 98, 35, 36, 37, 38, 39, 86, 88], n_coll)
    phone = digits(phone_int * 10**7 + rng.integers(0, 10**7, n_coll), 9, prefix="0")
    phone = masked(phone, rng.random(n_coll) < 0.05)
    order = np.lexsort((np.array(assign_h), np.array(assign_c)))

    # officers
    office_share = np.bincount(
        geo.commune_office, weights=geo.commune_share, minlength=len(geo.office_codes)
    )
    full = FULL_SCALE_EMPLOYERS * ctx.province.population / 4_500_000
    n_off = np.maximum(2, np.round(full * office_share / EMPLOYERS_PER_OFFICER)).astype(int)
    off_codes, off_office = [], []
    for o, office in enumerate(geo.office_codes):
        for i in range(int(n_off[o])):
            off_codes.append(f"{office}CB{i + 1:02d}")
            off_office.append(o)
    off_names = _person_names(rng, len(off_codes), rng.random(len(off_codes)) < 0.55)
    domain = ascii_fold(ctx.province.short_name).lower().replace(" ", "")
    emails = [
        f"{ascii_fold(name).lower().split()[-1]}.{code.lower()}@{domain}.vss.gov.vn"
        for name, code in zip(off_names, off_codes, strict=True)
    ]
    return Field(
        agent_codes=agent_codes,
        agent_names=agent_names,
        agent_office=agent_office,
        collector_codes=pa.array(coll_codes, pa.string()),
        collector_names=pa.array(coll_names, pa.string()),
        collector_phone=phone,
        collector_agent=coll_agent,
        assign_collector=np.array(assign_c)[order],
        assign_hamlet=np.array(assign_h)[order],
        hamlet_collector=primary,
        officer_codes=off_codes,
        officer_names=off_names,
        officer_office=np.array(off_office, dtype=np.int64),
        officer_email=emails,
    )


def agents_table(fld: Field) -> pa.Table:
    """The ``agents`` contract."""
    return pa.table(
        {
            "agent_code": pa.array(fld.agent_codes, pa.string()),
            "agent_name": pa.array(fld.agent_names, pa.string()),
            "office_code": pa.array(fld.agent_office, pa.string()),
        }
    )


def collectors_table(fld: Field, geo: Geography) -> pa.Table:
    """The ``collectors`` contract: one row per collector and hamlet."""
    rows = pa.array(fld.assign_collector)
    agents = pa.array(fld.agent_codes, pa.string())
    return pa.table(
        {
            "collector_code": fld.collector_codes.take(rows),
            "full_name": fld.collector_names.take(rows),
            "agent_code": agents.take(pa.array(fld.collector_agent[fld.assign_collector])),
            "hamlet_code": geo.arrow("hamlet_codes").take(pa.array(fld.assign_hamlet)),
            "phone": fld.collector_phone.take(rows),
        }
    )


def officers_table(fld: Field, geo: Geography) -> pa.Table:
    """The ``officers`` contract."""
    offices = pa.array(geo.office_codes, pa.string())
    return pa.table(
        {
            "officer_code": pa.array(fld.officer_codes, pa.string()),
            "full_name": pa.array(fld.officer_names, pa.string()),
            "office_code": offices.take(pa.array(fld.officer_office)),
            "email": pa.array(fld.officer_email, pa.string()),
        }
    )
