"""Entry point of the synthetic province: ``generate(province, scale, seed, out)``.

Runs the steps in order (geography, field staff, people, household classifications,
employers and their workforce, schools, enrolments with planted faults, ledger and
payments, tax data, state-budget obligations, targets), writing each file in a background
thread as soon as its table is ready.  ``OUT/inputs`` and ``OUT/truth`` are owned by the
generator: they are emptied first.  The same arguments always give byte-identical files.

``OUT/inputs`` (what a province receives; contract columns exactly)::

    units.csv  officers.csv  agents.csv  collectors.csv  payments.csv  tax_returns.csv
    business_registry.csv  targets.csv  budget_obligations.csv
    benefit_lists.csv  disadvantaged_communes.csv                   (Vietnamese headers)
    households.parquet  residents.parquet  employers.parquet
    contribution_ledger.parquet  enrolments.parquet                 (canonical names)
    agent_receipts.parquet  agent_remittances.parquet    (agents' money, ``synth.agents_money``)
    household_lists/danh_sach_ho_<commune>.xlsx                    (one per commune)
    school_rosters/danh_sach_hoc_sinh_<commune>.xlsx               (one per commune)
    facilities.csv  tender_prices.csv  spending_estimates.csv  claims/  claims_xml/
                                                   (BHYT claims: synth/claims.py says what)
    forms/d02lt/*.xlsx  forms/edeclaration/*.xml         (submitted forms, ``synth.forms``)

``OUT/forms_malformed`` (forms an import must refuse, with ``expected.json``)

``OUT/truth`` (for tests and benchmarks only)::

    persons.parquet  enrolments.parquet  employments.parquet  evaders.parquet
    roster_links.parquet  household_list_links.parquet  quality_faults.parquet
    late_payers.parquet  benefit_links.parquet  disadvantaged_communes.parquet
    potential.parquet  claims_planted.parquet  claims_spending.parquet  summary.json
    forms/ (the rows the forms must import, planted errors)
    agents_money.parquet (planted shortfalls of the agents' money)
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from baophu.contracts.progress import Progress
from baophu.synth.agents_money import write_agents_money
from baophu.synth.benefits import build_benefit_lists, build_disadvantaged, build_survivors
from baophu.synth.budget import build_budget
from baophu.synth.claims import build_claims
from baophu.synth.classifications import build_classifications, build_household_lists
from baophu.synth.context import Context
from baophu.synth.employers import (
    CURRENT,
    REQUIRED_WORKERS,
    Spells,
    build_firms,
    build_spells,
    employers_table,
)
from baophu.synth.enrolments import VOLUNTARY_PARTICIPANTS, G, build_enrolments
from baophu.synth.faults import (
    add_double_paid,
    build_enrolment_files,
    plant_school_leavers,
    plant_unlisted_benefits,
)
from baophu.synth.field import agents_table, build_field, collectors_table, officers_table
from baophu.synth.forms import write_forms
from baophu.synth.geography import build_geography, resolve_province, units_table
from baophu.synth.ledger import build_ledger, build_payments, build_workforce
from baophu.synth.monthbits import MonthGrid, bit_counts
from baophu.synth.path import IntendedPath, intended_counts
from baophu.synth.people import People, build_people, households_table, residents_table
from baophu.synth.potential_truth import potential_truth
from baophu.synth.schools import build_rosters, build_schools
from baophu.synth.targets import build_targets
from baophu.synth.tax import build_tax
from baophu.synth.truth import (
    benefit_links,
    employments_table,
    household_list_links,
    path_table,
    persons_table,
    roster_links,
    summary,
)
from baophu.synth.writers import excel_sheet, split_by, write_csv, write_excel, write_parquet

STEPS = (
    "geography",
    "people",
    "households",
    "employers",
    "schools",
    "enrolments",
    "ledger",
    "tax",
    "claims",
    "budget",
    "truth",
    "write files",
)
LIST_WIDTHS = (8, 9, 18, 22, 10, 16, 28, 8, 12, 12, 12)
ROSTER_WIDTHS = (11, 16, 34, 9, 8, 6, 28, 16, 8, 12)
# folder → (contract, column widths) of the work sheets written one per commune
SHEETS = {
    "household_lists": ("household_classifications", LIST_WIDTHS),
    "school_rosters": ("school_rosters", ROSTER_WIDTHS),
}
SHEET_PROCESS_SCALE = 0.05  # from this scale up the work sheets are written in a process


def generate(
    province: str,
    scale: float,
    seed: int,
    out: Path,
    as_of: date = date(2026, 10, 31),
    progress: Progress | None = None,
    claims: bool = True,
    voluntary_factor: float = 1.0,
    forms: bool = True,
) -> dict[str, Any]:
    """Generate the synthetic province into ``out``; return the summary counts.

    ``province`` is one of the 34 provinces, with or without diacritics or case ("Đồng Nai",
    "dong nai", "Gia Lai"); an unknown name raises ``ValueError`` listing the valid names.
    ``scale`` multiplies the population (1.0 = the real province); ``claims=False`` leaves
    out the BHYT claims (synth/claims.py), which ``generate_claims`` can make later.
    ``voluntary_factor`` multiplies the voluntary BHXH participants (the synthetic nation's
    calibration, ``synth.nation``).  ``forms=False`` leaves out the sample forms and the
    agents' money, which the nation draws after its links rewrite the enrolments
    (``nation_links``).  ``progress(step, done, total)`` is called after each
    step.
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    info = resolve_province(province)
    ctx = Context(
        province=info,
        scale=float(scale),
        seed=int(seed),
        as_of=as_of,
        voluntary_factor=float(voluntary_factor),
    )
    out = Path(out)
    inputs, truth_dir = out / "inputs", out / "truth"
    for d in (inputs, truth_dir, out / "forms_malformed"):
        if d.exists():
            shutil.rmtree(d)
    (inputs / "household_lists").mkdir(parents=True)
    (inputs / "school_rosters").mkdir(parents=True)
    truth_dir.mkdir(parents=True)

    done = 0
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal done, clock
        done += 1
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now
        if progress is not None:
            progress(name, done, len(STEPS))

    rows: dict[str, int] = {}
    with ExitStack() as stack:
        # The work sheets (openpyxl, pure Python) are written in a process of their own from
        # scale 0.05 up, so they no longer share the interpreter lock with the generation
        # (about 30 s of Python at scale 1.0); below, a process costs more than it saves.
        # The process is forked first, while this one is small and has no other thread.
        sheets: Executor | None = None
        if ctx.scale >= SHEET_PROCESS_SCALE:
            sheets = stack.enter_context(
                ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            )
            sheets.submit(os.getpid).result()
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=2))
        sheets = sheets or pool
        pending: list[Future[None]] = []
        sheet_jobs: list[Future[None]] = []  # the Excel files, waited for last

        def write(name: str, table: pa.Table, kind: str) -> None:
            rows[name] = table.num_rows
            path = inputs / f"{name}.{kind}"
            writer = write_parquet if kind == "parquet" else write_csv
            pending.append(pool.submit(writer, table, path, name))

        def write_truth(name: str, table: pa.Table) -> None:
            pending.append(pool.submit(write_parquet, table, truth_dir / f"{name}.parquet"))

        def per_commune(table: pa.Table, commune: np.ndarray, stem: str, title: str) -> None:
            """One work sheet per commune (``inputs/<stem>_<commune>.xlsx``)."""
            contract = SHEETS[stem.split("/")[0]]
            for c, part in enumerate(split_by(commune, geo.n_communes)):
                titles = [title, f"{geo.commune_names[c]} - {info.name}"]
                path = inputs / f"{stem}_{geo.commune_codes[c]}.xlsx"
                job = sheets.submit(_write_sheet, path, _rows(table, part), *contract, titles)
                sheet_jobs.append(job)

        geo = build_geography(info, ctx.seed)
        fld = build_field(ctx, geo)
        write("units", units_table(geo), "csv")
        write("officers", officers_table(fld, geo), "csv")
        write("agents", agents_table(fld), "csv")
        collectors = collectors_table(fld, geo)
        rows["collector_persons"] = len(fld.collector_codes)
        write("collectors", collectors, "csv")
        step("geography")

        people = build_people(ctx, geo, ctx.scaled(REQUIRED_WORKERS))
        write("households", households_table(people, geo), "parquet")
        write("residents", residents_table(people, geo), "parquet")
        step("people")

        cls = build_classifications(ctx, geo, people)
        lists = build_household_lists(ctx, geo, people, cls)
        rows["household_classifications"] = lists.table.num_rows
        year = ctx.as_of.year
        title = (
            "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO, HỘ NÔNG LÂM NGƯ DIÊM NGHIỆP CÓ MỨC "
            f"SỐNG TRUNG BÌNH NĂM {year}"
        )
        per_commune(lists.table, lists.commune, "household_lists/danh_sach_ho", title)
        write_truth("household_list_links", household_list_links(people, lists))
        step("households")

        firms = build_firms(ctx, geo, fld)
        spells = build_spells(ctx, people, firms)
        write("employers", employers_table(firms, geo, fld), "parquet")
        step("employers")

        schools = build_schools(ctx, geo, people)
        rosters = build_rosters(ctx, geo, people, schools)
        rows["school_rosters"] = rosters.table.num_rows
        step("schools")

        disadvantaged = build_disadvantaged(ctx, geo)
        survivors = build_survivors(ctx, people)
        write("disadvantaged_communes", disadvantaged.table(geo), "csv")
        write_truth("disadvantaged_communes", disadvantaged.table(geo))
        intended = _intended_path(ctx, people, spells)
        enrolled = build_enrolments(
            ctx, geo, people, firms, spells, cls, schools, intended, disadvantaged, survivors
        )
        assert enrolled.person_group is not None
        benefits = build_benefit_lists(
            ctx, geo, people, enrolled.person_group == G["social_pension"], survivors
        )
        masks = enrolled.masks
        assert masks is not None
        listed = cls.person_kind(people, ctx.as_of_d)
        files = build_enrolment_files(ctx, geo, people, firms, fld, enrolled, listed)
        add_double_paid(masks, files)
        del enrolled
        benefits, unlisted = plant_unlisted_benefits(ctx, people, files, benefits)
        files.faults = pa.concat_tables([files.faults, unlisted.cast(files.faults.schema)])
        # the rosters are written once the school leavers are planted (it needs their cards)
        rosters, leavers = plant_school_leavers(ctx, people, files, rosters)
        files.faults = pa.concat_tables([files.faults, leavers.cast(files.faults.schema)])
        title = f"DANH SÁCH HỌC SINH, SINH VIÊN NĂM HỌC {schools.school_year}"
        per_commune(rosters.table, rosters.commune, "school_rosters/danh_sach_hoc_sinh", title)
        write_truth("roster_links", roster_links(people, rosters))
        write("benefit_lists", benefits.table, "csv")
        write_truth("benefit_links", benefit_links(people, benefits))
        rows["enrolments"] = files.table.num_rows
        pending.append(
            pool.submit(
                write_parquet, files.table, inputs / "enrolments.parquet", "enrolments", files.order
            )
        )
        pending.append(pool.submit(write_parquet, files.truth, truth_dir / "enrolments.parquet"))
        write_truth("quality_faults", files.faults)
        step("enrolments")

        wf = build_workforce(ctx, firms, spells)
        ledger = build_ledger(ctx, firms, wf)
        payments = build_payments(ctx, firms, ledger)
        write("contribution_ledger", ledger.table, "parquet")
        write("payments", payments.table, "csv")
        write_truth("late_payers", payments.truth)
        step("ledger")

        tax = build_tax(ctx, geo, firms, wf)
        write("tax_returns", tax.tax_returns, "csv")
        write("business_registry", tax.registry, "csv")
        write_truth("evaders", tax.evaders)
        step("tax")

        counts_claims = _claims(ctx, geo, people, files.truth, inputs, truth_dir) if claims else {}
        step("claims")

        population = int(people.living.sum())
        write("budget_obligations", build_budget(ctx, files.final), "csv")
        write("targets", build_targets(ctx, population), "csv")
        step("budget")

        write_truth("persons", persons_table(ctx, geo, people, cls, spells, firms, files))
        potential = potential_truth(ctx, people, cls, files.final, rosters, benefits)
        write_truth("potential", potential)
        rows["benefit_lists"] = benefits.table.num_rows
        rows["potential"] = potential.num_rows
        write_truth("employments", employments_table(ctx, people, spells, firms))
        write_truth("coverage_path", path_table(ctx, people, spells, masks, intended))
        small = {
            "evaders": tax.evaders,
            "late_payers": payments.truth,
            "quality_faults": files.faults,
        }
        small["potential"] = potential
        counts = summary(ctx, geo, people, cls, spells, firms, files, rosters, lists, rows, small)
        counts["claims"] = counts_claims
        counts["disadvantaged_communes"] = {
            "listed": len(disadvantaged.commune),
            "leaving": int((~np.isnat(disadvantaged.valid_to)).sum()),
        }
        step("truth")
        for job in pending:
            job.result()
        # the forms and the agents' money read the Parquet and CSV files just written; the
        # work sheets go on being written meanwhile
        if forms:
            counts["forms"] = write_forms(out, ctx.seed, ctx.as_of)  # D02-LT, e-declarations
            counts["agents_money"] = write_agents_money(out, ctx.seed, ctx.as_of)  # after forms
        else:  # drawn once the nation's links have rewritten the enrolments (nation_links)
            counts["forms"] = counts["agents_money"] = None
        for job in sheet_jobs:
            job.result()
    (truth_dir / "summary.json").write_text(
        json.dumps(counts, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    step("write files")
    counts["timings_s"] = timings
    return counts


def _claims(
    ctx: Context, geo: Any, people: Any, enrolments: pa.Table, inputs: Path, truth_dir: Path
) -> dict[str, Any]:
    """BHYT claims (synth/claims.py), built on the register and the BHYT spells as written."""
    bhyt = enrolments.filter(pc.equal(enrolments.column("scheme"), "bhyt"))
    spells = bhyt.select(["true_person_id", "participant_group", "start_date", "end_date"])
    spells = spells.rename_columns(["person_id", "participant_group", "start_date", "end_date"])
    return build_claims(ctx, geo, residents_table(people, geo), spells, inputs, truth_dir)


def _rows(table: pa.Table, rows: np.ndarray) -> pa.Table:
    return table.take(pa.array(rows, type=pa.int64()))


def _write_sheet(
    path: Path, part: pa.Table, contract: str, widths: tuple[float, ...], titles: list[str]
) -> None:
    write_excel(path, excel_sheet(part, contract, titles, widths))


def _intended_path(ctx: Context, people: People, spells: Spells) -> IntendedPath:
    """The path of every indicator over the simulated months: the population and the jobs
    as drawn, BHTN and voluntary BHXH from the seeds' counts of the reference month."""
    months = ctx.history_months
    grid = MonthGrid(ctx.history_start)
    present = grid.present(people.birth, people.resident_from, people.death, people.moved_out)
    population = bit_counts(present[people.resident])[: len(months)]
    here = (spells.kind == CURRENT) & (spells.firm >= 0) & spells.declared
    return intended_counts(
        months,
        ctx.as_of_month,
        population,
        (spells.declared_path, spells.hidden_path),
        int((here & spells.bhtn).sum()),
        ctx.scaled(VOLUNTARY_PARTICIPANTS * ctx.voluntary_factor),
    )
