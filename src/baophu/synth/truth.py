"""Ground truth for tests and benchmarks: who everyone really is, and the summary counts.

Only tests and benchmarks read ``OUT/truth``.  The summary's counts are computed here from
the same arrays the truth files are written from, with the definitions spelled out below,
so a test can recompute every count from the truth Parquet files.

* population: residents alive on the reference date;
* bhyt_insured: living residents with a BHYT spell in force on the reference date
  (enrolled in any province);
* compulsory / voluntary / BHTN participants: distinct persons with a spell of that scheme in
  force on the reference date, held in this province;
* compulsory_required: true current jobs with employers in this province (registered or not);
  bhtn_required: those of them to which BHTN applies.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from baophu.contracts.tables import PARTICIPANT_GROUPS
from baophu.synth import names
from baophu.synth.benefits import BenefitLists
from baophu.synth.classifications import KINDS, Classifications, HouseholdLists
from baophu.synth.context import Context, month_end, month_start
from baophu.synth.employers import CURRENT, SPELL_KINDS, Firms, Spells
from baophu.synth.enrolments import S
from baophu.synth.faults import EnrolmentFiles
from baophu.synth.geography import Geography
from baophu.synth.noise import BIRTH_NOISE, ID_NOISE, NAME_NOISE
from baophu.synth.people import RELATIONS, People
from baophu.synth.schools import Rosters
from baophu.synth.strings import categorical, date_array, digits, take


def persons_table(
    ctx: Context,
    geo: Geography,
    people: People,
    cls: Classifications,
    spells: Spells,
    firms: Firms,
    files: EnrolmentFiles,
) -> pa.Table:
    """Every true person, resident or not, with what the scoring needs."""
    e = files.final
    as_of = ctx.as_of_d
    on = e.active(as_of) & (e.scheme == S["bhyt"])
    covered = np.zeros(people.n, dtype=bool)
    covered[e.person[on]] = True
    job = np.full(people.n, -1, dtype=np.int64)
    cur = np.flatnonzero((spells.kind == CURRENT) & (spells.firm >= 0))
    job[spells.person[cur]] = cur
    firm = np.where(job >= 0, spells.firm[np.maximum(job, 0)], -1)
    registered = (firm >= 0) & (firm < firms.n_registered)
    employer = categorical(np.where(registered, firm, 0), firms.employer_code, null=~registered)
    declared = np.where(job >= 0, spells.declared[np.maximum(job, 0)], False)
    res = people.resident
    hamlet = np.maximum(people.hamlet, 0)
    group = e.person_group if e.person_group is not None else np.full(people.n, -1)
    kind = cls.person_kind(people, as_of)
    return pa.table(
        {
            "person_id": people.person_id,
            "full_name": people.all_names,
            "sex": categorical(people.female.astype(np.int8), ["male", "female"]),
            "birth_date": pa.array(people.birth, type=pa.date32()),
            "resident": pa.array(res),
            "commuter": pa.array(people.commuter),
            "alive": pa.array(people.alive),
            "death_date": date_array(people.death),
            "household_id": categorical(np.maximum(people.household, 0), people.hh_id, null=~res),
            "relation_to_head": categorical(people.relation, list(RELATIONS), null=~res),
            "hamlet_code": categorical(hamlet, geo.arrow("hamlet_codes"), null=~res),
            "commune_code": categorical(
                geo.hamlet_commune[hamlet], geo.arrow("commune_codes"), null=~res
            ),
            "ethnicity": categorical(people.ethnicity, list(names.ETHNICITIES)),
            "si_code": people.si_code,
            "bhyt_group": categorical(
                np.maximum(group, 0), list(PARTICIPANT_GROUPS), null=group < 0
            ),
            "bhyt_covered": pa.array(covered),
            "classification": categorical(np.maximum(kind, 0), list(KINDS), null=kind < 0),
            "employer_code": employer,
            "works_in_province": pa.array(job >= 0),
            "job_declared": pa.array(declared),
        }
    )


def employments_table(ctx: Context, people: People, spells: Spells, firms: Firms) -> pa.Table:
    """Every true employment spell, declared or hidden, in this province or another."""
    inside = spells.firm >= 0
    f = np.maximum(spells.firm, 0)
    registered = inside & (f < firms.n_registered)
    province = np.where(inside, ctx.province.code, spells.other_province)
    return pa.table(
        {
            "person_id": categorical(spells.person, people.person_id),
            "employer_code": categorical(
                np.where(registered, f, 0), firms.employer_code, null=~registered
            ),
            "tax_code": categorical(f, firms.tax_code, null=~inside),
            "kind": categorical(spells.kind, list(SPELL_KINDS)),
            "start_date": date_array(month_start(spells.start)),
            "end_date": date_array(
                np.where(np.isnat(spells.end), np.datetime64("NaT"), month_end(spells.end))
            ),
            "in_province": pa.array(inside),
            "province_code": digits(province, 2),
            "declared": pa.array(spells.declared),
            "bhtn_applies": pa.array(spells.bhtn),
            "wage": pa.array(spells.wage.astype(np.int64)),
        }
    )


def roster_links(people: People, rosters: Rosters) -> pa.Table:
    t = rosters.table
    return pa.table(
        {
            "school_year": t["school_year"],
            "school_code": t["school_code"],
            "class_name": t["class_name"],
            "row_no": t["row_no"],
            "person_id": people.ids(rosters.person),
            "resident": pa.array(people.resident[rosters.person]),
            "id_noise": take(list(ID_NOISE), rosters.id_noise),
            "name_noise": take(list(NAME_NOISE), rosters.name_noise),
            "birth_noise": take(list(BIRTH_NOISE), rosters.birth_noise),
        }
    )


def benefit_links(people: People, benefits: BenefitLists) -> pa.Table:
    """Each benefit-list row with its true person and what was done to its ID."""
    t = benefits.table
    return pa.table(
        {
            "list_month": t["list_month"],
            "benefit": t["benefit"],
            "commune_code": t["commune_code"],
            "row_no": t["row_no"],
            "person_id": people.ids(benefits.person),
            "id_noise": take(list(ID_NOISE), benefits.id_noise),
        }
    )


def household_list_links(people: People, lists: HouseholdLists) -> pa.Table:
    t = lists.table
    return pa.table(
        {
            "list_year": t["list_year"],
            "commune_code": t["commune_code"],
            "household_id": t["household_id"],
            "classification": t["classification"],
            "member_no": t["member_no"],
            "person_id": people.ids(lists.person),
            "id_noise": take(list(ID_NOISE), lists.id_noise),
            "name_noise": take(list(NAME_NOISE), lists.name_noise),
        }
    )


def _counts(array: pa.Array | pa.ChunkedArray) -> dict[str, int]:
    """How often each non-null value occurs, sorted by value."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.cast(array.type.value_type)
    counts = pc.value_counts(pc.drop_null(array)).to_pylist()
    return dict(sorted((c["values"], int(c["counts"])) for c in counts))


def _code_counts(codes: np.ndarray, labels: tuple[str, ...]) -> dict[str, int]:
    found = np.bincount(np.asarray(codes, dtype=np.int64), minlength=len(labels))
    return {labels[i]: int(c) for i, c in enumerate(found) if c}


def summary(
    ctx: Context,
    geo: Geography,
    people: People,
    cls: Classifications,
    spells: Spells,
    firms: Firms,
    files: EnrolmentFiles,
    rosters: Rosters,
    lists: HouseholdLists,
    rows: dict[str, int],
    small: dict[str, pa.Table],
) -> dict[str, Any]:
    """The counts written to ``truth/summary.json`` (``rows``: row count of each input table;
    ``small``: the evaders, late-payer and quality-fault truth tables)."""
    e = files.final
    as_of = ctx.as_of_d
    living = people.resident & people.alive
    act = e.active(as_of)
    here = e.province == 0

    def distinct(mask: np.ndarray) -> int:
        seen = np.zeros(people.n, dtype=bool)
        seen[e.person[mask]] = True
        return int(seen.sum())

    bhyt_on = act & (e.scheme == S["bhyt"])
    insured = np.zeros(people.n, dtype=bool)
    insured[e.person[bhyt_on]] = True
    current = (spells.kind == CURRENT) & (spells.firm >= 0)
    year = ctx.as_of.year
    vol = e.scheme == S["bhxh_voluntary"]
    lapsed_vol = (
        vol & here & ~np.isnat(e.end) & (e.end < as_of) & (e.end >= np.datetime64(f"{year}-01-01"))
    )
    return {
        "province": ctx.province.name,
        "province_code": ctx.province.code2,
        "scale": ctx.scale,
        "seed": ctx.seed,
        "as_of": ctx.as_of.isoformat(),
        "communes": geo.n_communes,
        "offices": len(geo.office_codes),
        "hamlets": geo.n_hamlets,
        "population": int(living.sum()),
        "residents_in_register": int(people.resident.sum()),
        "deceased_in_register": int((people.resident & ~people.alive).sum()),
        "households": people.n_households,
        "non_residents": int((~people.resident).sum()),
        "commuters": int(people.commuter.sum()),
        "bhyt_insured": int((insured & living).sum()),
        "bhyt_coverage": round(float((insured & living).sum() / max(living.sum(), 1)), 6),
        "household_bhyt_participation": round(e.household_p, 6),
        "compulsory_required": int(current.sum()),
        "compulsory_participants": distinct(act & here & (e.scheme == S["bhxh_compulsory"])),
        "bhtn_required": int((current & spells.bhtn).sum()),
        "bhtn_participants": distinct(act & here & (e.scheme == S["bhtn"])),
        "voluntary_participants": distinct(act & here & vol),
        "voluntary_lapsed_this_year": distinct(
            lapsed_vol & ~np.isin(e.person, e.person[act & vol])
        ),
        "enrolment_rows": e.n,
        "enrolments_other_province": int((~here).sum()),
        "enrolment_id_noise": _code_counts(files.id_noise, ID_NOISE),
        "employers": firms.n_registered,
        "business_registry": rows["business_registry"],
        "tax_returns": rows["tax_returns"],
        "ledger_rows": rows["contribution_ledger"],
        "payments": rows["payments"],
        "evaders": _counts(small["evaders"]["kind"]),
        "late_payers": _counts(small["late_payers"]["behaviour"]),
        "employers_late_3_plus": int(pc.sum(small["late_payers"]["late_3_plus"]).as_py() or 0),
        "quality_faults": _counts(small["quality_faults"]["kind"]),
        "classified_households": {k: int((cls.kind == i).sum()) for i, k in enumerate(KINDS)},
        "household_list_rows": rows["household_classifications"],
        "household_list_noise": {
            "id": _code_counts(lists.id_noise, ID_NOISE),
            "name": _code_counts(lists.name_noise, NAME_NOISE),
        },
        "pupils": rows["school_rosters"],
        "roster_noise": {
            "id": _code_counts(rosters.id_noise, ID_NOISE),
            "name": _code_counts(rosters.name_noise, NAME_NOISE),
            "birth": _code_counts(rosters.birth_noise, BIRTH_NOISE),
        },
        "benefit_list_rows": rows["benefit_lists"],
        "potential": _counts(small["potential"]["reason"]),
        "collectors": rows["collector_persons"],
        "officers": rows["officers"],
        "agents": rows["agents"],
    }
