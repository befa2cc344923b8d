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
from baophu.synth.context import Context
from baophu.synth.dates import month_end, month_index, month_start
from baophu.synth.employers import CURRENT, SPELL_KINDS, Firms, Spells
from baophu.synth.enrolments import MonthMasks, S
from baophu.synth.faults import EnrolmentFiles
from baophu.synth.geography import Geography
from baophu.synth.monthbits import bit_counts, bit_flows, span
from baophu.synth.noise import BIRTH_NOISE, ID_NOISE, NAME_NOISE
from baophu.synth.path import IntendedPath
from baophu.synth.people import RELATIONS, People
from baophu.synth.rates import retirement_month, working_age_from
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
            "moved_in_date": date_array(people.resident_from),
            "moved_out_date": date_array(people.moved_out),
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
    living = people.living
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


PATH_INDICATORS = (
    # indicator, scheme (the numerator), denominator
    ("bhyt_rate", "bhyt", "population"),
    ("bhxh_rate", "bhxh", "labour_force"),
    ("bhtn_rate", "bhtn", "labour_force"),
    ("compulsory_rate", "bhxh_compulsory", "compulsory_required"),
    ("voluntary_rate", "bhxh_voluntary", "voluntary_pool"),
)


def path_table(
    ctx: Context, people: People, spells: Spells, masks: MonthMasks, path: IntendedPath
) -> pa.Table:
    """``truth/coverage_path.parquet``: for every simulated month-end and indicator, the
    intended rate and count (``path``) beside what the truth gives — the numerator and
    denominator as docs/indicators.md defines them (residents counted while they live here,
    spells held here: ``enrolments.MonthMasks``), and the people entering and leaving the
    numerator since the month-end before.  ``in_history`` marks the month-ends from
    ``Context.first_month`` on."""
    n_m = len(path.months)
    lead = np.uint64(int((path.months[0] - masks.base).astype(np.int64)))

    def rebased(mask: np.ndarray) -> np.ndarray:
        return mask >> lead  # bit 0: the first simulated month

    numerators = {
        "bhyt": rebased(masks.bhyt),
        "bhxh_compulsory": rebased(masks.compulsory),
        "bhxh_voluntary": rebased(masks.voluntary),
        "bhtn": rebased(masks.bhtn),
    }
    numerators["bhxh"] = numerators["bhxh_compulsory"] | numerators["bhxh_voluntary"]
    first_month = int(np.asarray(path.months[0], dtype="datetime64[M]").astype(np.int64))
    from_month = month_index(working_age_from(people.birth))
    assert isinstance(from_month, np.ndarray)
    to_month = retirement_month(people.birth, people.female).astype(np.int64)
    working_age = span(from_month - first_month, to_month - first_month)
    labour = rebased(masks.present) & working_age
    in_compulsory = rebased(masks.compulsory_any) & labour
    jobs = spells.firm >= 0
    job_end = spells.end[jobs]
    job_mask = span(
        spells.start[jobs].astype(np.int64) - first_month,
        np.where(np.isnat(job_end), 10**6, job_end.astype(np.int64) - first_month),
    )
    denominators = {
        "population": bit_counts(rebased(masks.present))[:n_m],
        "labour_force": bit_counts(labour)[:n_m],
        "compulsory_required": bit_counts(job_mask)[:n_m],
        "voluntary_pool": (bit_counts(labour) - bit_counts(in_compulsory))[:n_m],
    }
    intended = {
        "bhyt": path.bhyt_insured,
        "bhxh": path.compulsory + path.voluntary,
        "bhtn": path.bhtn,
        "bhxh_compulsory": path.compulsory,
        "bhxh_voluntary": path.voluntary,
    }
    first = int((ctx.first_month - path.months[0]).astype(np.int64))
    columns: dict[str, list[Any]] = {
        k: []
        for k in (
            "reference_date",
            "indicator",
            "scheme",
            "intended_rate",
            "intended_count",
            "true_count",
            "denominator",
            "true_rate",
            "inflow",
            "outflow",
            "in_history",
        )
    }
    for indicator, scheme, denominator in PATH_INDICATORS:
        count, inflow, outflow = (a[:n_m] for a in bit_flows(numerators[scheme]))
        den = denominators[denominator]
        if indicator == "bhyt_rate":
            rate = path.bhyt_rate
        elif indicator == "compulsory_rate":
            rate = path.compulsory / np.maximum(path.compulsory + path.hidden, 1)
        else:
            rate = intended[scheme] / np.maximum(den, 1)
        columns["reference_date"].extend(path.month_ends.tolist())
        columns["indicator"].extend([indicator] * n_m)
        columns["scheme"].extend([scheme] * n_m)
        columns["intended_rate"].extend(np.round(rate, 6).tolist())
        columns["intended_count"].extend(intended[scheme].tolist())
        columns["true_count"].extend(count.tolist())
        columns["denominator"].extend(den.tolist())
        columns["true_rate"].extend(np.round(count / np.maximum(den, 1), 6).tolist())
        columns["inflow"].extend(np.where(np.arange(n_m) > 0, inflow, 0).tolist())
        columns["outflow"].extend(np.where(np.arange(n_m) > 0, outflow, 0).tolist())
        columns["in_history"].extend((np.arange(n_m) >= first).tolist())
    return pa.table(
        {
            "reference_date": pa.array(columns["reference_date"], pa.date32()),
            "indicator": pa.array(columns["indicator"], pa.string()),
            "scheme": pa.array(columns["scheme"], pa.string()),
            "intended_rate": pa.array(columns["intended_rate"], pa.float64()),
            "intended_count": pa.array(columns["intended_count"], pa.int64()),
            "true_count": pa.array(columns["true_count"], pa.int64()),
            "denominator": pa.array(columns["denominator"], pa.int64()),
            "true_rate": pa.array(columns["true_rate"], pa.float64()),
            "inflow": pa.array(columns["inflow"], pa.int64()),
            "outflow": pa.array(columns["outflow"], pa.int64()),
            "in_history": pa.array(columns["in_history"], pa.bool_()),
        }
    )
