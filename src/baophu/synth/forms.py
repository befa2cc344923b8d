"""Samples of the forms a province receives, written from the synthetic province's own
files, with planted errors and the truth:

* ``inputs/forms/d02lt/D02-LT_<employer>_<yyyy-mm>.xlsx`` — the labour report of a dozen
  employers for the latest ledger month: their compulsory-BHXH workers, and for every
  third employer a few more workers than it pays for (the gap the reconciliation finds);
* ``inputs/forms/edeclaration/<agent>_<form>.xml`` — e-declaration dossiers of two
  collection agents: D03-TS (household BHYT receipts), D05-TS (voluntary BHXH receipts),
  TK1-TS (registrations);
* ``forms_malformed/`` — forms whose structure is wrong (a header row missing, cells merged
  in the list, totals that do not add up, an envelope without its parts, entities …), with
  ``expected.json``: the reason code, row and column each must be refused with;
* ``truth/forms/`` — ``declared_workforce.parquet`` and ``agent_receipts.parquet`` and
  ``registration_declarations.parquet`` (the rows an import must hold, exactly),
  ``planted.csv`` (the rows planted with an error: file, row, column, reason code).

Hook: ``write_forms(out, seed, as_of)`` after the generator has written ``out/inputs``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from baophu.contracts import CONTRACTS
from baophu.contracts.forms import (
    D02LT_COLUMNS,
    D02LT_FORM,
    D02LT_TITLE,
    D02LT_TOTAL_LABEL,
    D02LT_TOTALLED,
)
from baophu.contracts.model import ARROW_TYPES
from baophu.rules.household import household_bhyt
from baophu.rules.voluntary import income_bounds, voluntary_bhxh

D02LT_EMPLOYERS = 12
MAX_WORKERS = 150
AGENTS = 2
RECEIPTS_PER_FORM = 25
SEX_VI = {"male": "Nam", "female": "Nữ"}
HEADING_ROWS = 6  # the table's first header row


@dataclass
class Worker:
    full_name: str
    si_code: str | None
    birth_date: str  # as written on the form
    sex: str  # Nam / Nữ
    person_id: str | None
    position: str
    job: int  # 0 manager, 1 senior, 2 middle, 3 other
    wage: int
    allowance_position: int | None = None
    allowance_wage: int | None = None
    additional_pay: int | None = None
    contract_type: str = "HĐLĐ xác định thời hạn"
    contract_start: str | None = None
    contribution_start: str | None = None
    note: str | None = None


@dataclass
class Planted:
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, file: str, row: int, column: str, code: str) -> None:
        self.rows.append({"file": file, "row": row, "column": column, "reason_code": code})


# --------------------------------------------------------------------------------- D02-LT


def d02lt_cells(w: Worker, row_no: int) -> list[Any]:
    """The 25 cells of a worker's row, left to right (``D02LT_COLUMNS``)."""
    jobs: list[str | None] = [None, None, None, None]
    jobs[w.job] = "x"
    return [
        row_no,
        w.full_name,
        w.si_code,
        w.birth_date,
        w.sex,
        w.person_id,
        w.position,
        *jobs,
        w.wage,
        w.allowance_position,
        None,
        None,
        w.allowance_wage,
        w.additional_pay,
        None,
        None,
        w.contract_type,
        w.contract_start,
        None,
        w.contribution_start,
        None,
        w.note,
    ]


def write_d02lt(
    path: Path,
    employer: dict[str, Any],
    period: dt.date,
    workers: list[Worker],
    variant: str | None = None,
) -> dict[str, int]:
    """Write a D02-LT workbook; ``variant`` breaks it on purpose (``missing_header_row``,
    ``merged_data``, ``bad_total``, ``bad_count``, ``no_total``, ``no_period``).  Returns
    where things are: ``top`` (first header row), ``first`` (first worker row), ``total``."""
    book = Workbook()
    ws = book.active
    ws.title = D02LT_FORM
    n_cols = len(D02LT_COLUMNS)
    bold = Font(bold=True)
    ws.cell(1, 1, f"Tên đơn vị: {employer['employer_name']}")
    ws.cell(1, n_cols - 3, f"Mẫu {D02LT_FORM}").font = bold
    ws.cell(2, 1, f"Mã đơn vị: {employer['employer_code']}")
    ws.cell(2, n_cols - 3, "(Ban hành kèm theo QĐ số 1040/QĐ-BHXH)")
    ws.cell(3, 1, f"Mã số thuế: {employer.get('tax_code') or ''}")
    ws.cell(4, 1, D02LT_TITLE).font = bold
    ws.merge_cells(start_row=4, start_column=1, end_row=4, end_column=n_cols)
    if variant != "no_period":
        ws.cell(5, 1, f"Tháng {period.month:02d} năm {period.year}")
        ws.merge_cells(start_row=5, start_column=1, end_row=5, end_column=n_cols)
    top = HEADING_ROWS
    second = top + 1
    numbers = top + 1 if variant == "missing_header_row" else top + 2
    groups: dict[str, list[int]] = {}
    for j, (_, group, label) in enumerate(D02LT_COLUMNS, start=1):
        if group is None:
            ws.cell(top, j, label).font = bold
            if variant != "missing_header_row":  # a deleted row takes its half of the merge
                ws.merge_cells(start_row=top, start_column=j, end_row=top + 1, end_column=j)
        else:
            groups.setdefault(group, []).append(j)
            if variant != "missing_header_row":
                ws.cell(second, j, label).font = bold
        ws.cell(numbers, j, f"({j})")
        ws.cell(top, j).alignment = Alignment(wrap_text=True, vertical="center")
    for group, cols in groups.items():
        ws.cell(top, cols[0], group).font = bold
        ws.merge_cells(start_row=top, start_column=cols[0], end_row=top, end_column=cols[-1])
    first = numbers + 1
    r = first
    for i, w in enumerate(workers, start=1):
        for j, value in enumerate(d02lt_cells(w, i), start=1):
            if value is not None:
                ws.cell(r, j, value)
        r += 1
    names = [name for name, _, _ in D02LT_COLUMNS]
    if variant == "merged_data" and len(workers) >= 2:
        col = names.index("wage") + 1
        ws.merge_cells(start_row=first, start_column=col, end_row=first + 1, end_column=col)
    total = r
    if variant != "no_total":
        ws.cell(total, 1, D02LT_TOTAL_LABEL).font = bold
        count = len(workers) + (1 if variant == "bad_count" else 0)
        ws.cell(total, names.index("full_name") + 1, count).font = bold
        for name in D02LT_TOTALLED:
            values = [getattr(w, name) or 0 for w in workers]
            value = sum(values) + (1_000_000 if variant == "bad_total" and name == "wage" else 0)
            if any(getattr(w, name) is not None for w in workers):
                ws.cell(total, names.index(name) + 1, value).font = bold
        ws.cell(total + 2, 2, "Người lập biểu")
        ws.cell(total + 2, n_cols - 4, "Thủ trưởng đơn vị")
    for j in range(1, n_cols + 1):
        ws.column_dimensions[get_column_letter(j)].width = 24 if j in (2, 7) else 12
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(_fixed_zip(buffer.getvalue()))
    return {"top": top, "first": first, "total": total}


_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _fixed_zip(data: bytes) -> bytes:
    """The workbook with its dates fixed (document properties and zip members): the same
    content gives the same bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for name in src.namelist():
            content = src.read(name)
            if name == "docProps/core.xml":
                content = _STAMP.sub(rb"\g<1>2026-01-01T00:00:00Z\g<2>", content)
            info = zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, content)
    return out.getvalue()


# -------------------------------------------------------------------------- e-declaration


def edeclaration_xml(
    submitter: dict[str, str],
    dossier_no: str,
    submitted: dt.date,
    forms: list[tuple[str, list[dict[str, Any]], int | None]],
    *,
    ivan: bool = True,
    doctype: bool = False,
) -> str:
    """An e-declaration dossier: ``forms`` = (form code, rows as element → value, total
    money or None)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    if doctype:
        lines.append('<!DOCTYPE Hoso [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
    lines += ["<Hoso>", "  <NoiDung>"]
    if ivan:
        lines.append(
            "    <ThongTinIVAN><MaIVAN>IVAN-BAOPHU</MaIVAN><TenIVAN>Nhà cung cấp dịch vụ "
            "I-VAN (thử nghiệm)</TenIVAN></ThongTinIVAN>"
        )
    lines += [
        "    <ThongTinDonVi>",
        f"      <MaDonVi>{escape(submitter['code'])}</MaDonVi>",
        f"      <TenDonVi>{escape(submitter['name'])}</TenDonVi>",
        f"      <MaCoQuanBHXH>{escape(submitter.get('office', ''))}</MaCoQuanBHXH>",
        "    </ThongTinDonVi>",
        "    <ThongTinHoSo>",
        f"      <SoHoSo>{escape(dossier_no)}</SoHoSo>",
        f"      <NgayLap>{submitted:%d/%m/%Y}</NgayLap>",
        f"      <KyKeKhai>{submitted:%m/%Y}</KyKeKhai>",
        "      <ToKhais>",
    ]
    for code, rows, money in forms:
        lines += [
            "        <FileToKhai>",
            f"          <MaToKhai>{code}</MaToKhai>",
            f"          <TenFile>{code}.xml</TenFile>",
            "          <NoiDungToKhai>",
            "            <DanhSach>",
        ]
        for row in rows:
            inner = "".join(
                f"<{k}>{escape(str(v))}</{k}>" if v is not None else f"<{k}/>"
                for k, v in row.items()
            )
            lines.append(f"              <NguoiThamGia>{inner}</NguoiThamGia>")
        lines += ["            </DanhSach>", "            <TongCong>"]
        lines.append(f"              <SoNguoi>{len(rows)}</SoNguoi>")
        if money is not None:
            lines.append(f"              <TongTien>{money}</TongTien>")
        lines += [
            "            </TongCong>",
            "          </NoiDungToKhai>",
            "        </FileToKhai>",
        ]
    lines += ["      </ToKhais>", "    </ThongTinHoSo>", "  </NoiDung>", "  <CKy_Dvi/>", "</Hoso>"]
    return "\n".join(lines) + "\n"


def row_line(xml: str, needle: str) -> int:
    """The line of the file holding ``needle`` (1-based)."""
    for i, line in enumerate(xml.splitlines(), start=1):
        if needle in line:
            return i
    raise ValueError(needle)


# ------------------------------------------------------------------------------ the sample


def _read_csv(path: Path) -> pa.Table:
    return pacsv.read_csv(path)


def _dmy(day: Any) -> str:
    return day.strftime("%d/%m/%Y")


def _to_date(day: Any) -> dt.date:
    return day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])


def write_forms(out: Path, seed: int, as_of: dt.date) -> dict[str, int]:
    """Write the sample forms, the malformed ones and the truth; return counts."""
    inputs, truth = out / "inputs", out / "truth" / "forms"
    rng = np.random.default_rng([seed, 1040])
    truth.mkdir(parents=True, exist_ok=True)
    planted = Planted()
    workforce, employer_forms = _d02lt_sample(inputs, rng, planted)
    receipts, registrations, dossiers = _edeclaration_sample(inputs, rng, planted, as_of)
    _malformed(out / "forms_malformed", inputs, workforce, receipts)
    _write_truth(truth / "declared_workforce.parquet", "declared_workforce", workforce)
    _write_truth(truth / "agent_receipts.parquet", "agent_receipts", receipts)
    _write_truth(
        truth / "registration_declarations.parquet", "registration_declarations", registrations
    )
    with open(truth / "planted.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, ["file", "row", "column", "reason_code"])
        writer.writeheader()
        writer.writerows(planted.rows)
    return {
        "d02lt_files": employer_forms,
        "declared_workforce_rows": len(workforce),
        "edeclaration_files": dossiers,
        "agent_receipts_rows": len(receipts),
        "registration_rows": len(registrations),
        "planted_errors": len(planted.rows),
    }


def _write_truth(path: Path, table: str, rows: list[dict[str, Any]]) -> None:
    contract = CONTRACTS[table]
    schema = pa.schema([pa.field(c.name, ARROW_TYPES[c.dtype]) for c in contract.columns])
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


def _d02lt_sample(
    inputs: Path, rng: np.random.Generator, planted: Planted
) -> tuple[list[dict[str, Any]], int]:
    ledger = pq.read_table(inputs / "contribution_ledger.parquet")
    employers = pq.read_table(inputs / "employers.parquet").to_pylist()
    enrolments = pq.read_table(
        inputs / "enrolments.parquet",
        columns=[
            "person_id",
            "si_code",
            "full_name",
            "sex",
            "birth_date",
            "scheme",
            "employer_code",
            "start_date",
            "end_date",
            "contribution_wage",
        ],
    )
    period = _to_date(pc.max(ledger.column("period")).as_py())
    month_end = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(
        days=1
    )
    # Compulsory spells in force in the ledger's last month, selected in Arrow: a whole
    # province's enrolments as Python rows would take tens of GiB at scale 1.0.
    start, end = enrolments.column("start_date"), enrolments.column("end_date")
    in_force = enrolments.filter(
        pc.and_kleene(
            pc.and_kleene(
                pc.equal(enrolments.column("scheme"), "bhxh_compulsory"),
                pc.not_equal(pc.fill_null(enrolments.column("employer_code"), ""), ""),
            ),
            pc.and_kleene(
                pc.less_equal(start, pa.scalar(month_end, pa.date32())),
                pc.or_kleene(
                    pc.is_null(end), pc.greater_equal(end, pa.scalar(period, pa.date32()))
                ),
            ),
        )
    )
    counted = in_force.group_by("employer_code").aggregate([("employer_code", "count")])
    workers_of = dict(
        zip(
            counted.column("employer_code").to_pylist(),
            counted.column("employer_code_count").to_pylist(),
            strict=True,
        )
    )
    in_ledger = set(
        ledger.filter(pc.equal(ledger.column("period"), pa.scalar(period, pa.date32())))
        .column("employer_code")
        .to_pylist()
    )
    candidates = sorted(
        e["employer_code"]
        for e in employers
        if e["employer_code"] in in_ledger
        and 3 <= workers_of.get(e["employer_code"], 0) <= MAX_WORKERS
    )
    chosen = (
        sorted(
            rng.choice(
                candidates, size=min(D02LT_EMPLOYERS, len(candidates)), replace=False
            ).tolist()
        )
        if candidates
        else []
    )
    # only the chosen employers' rows become Python values (in the file's order)
    by_employer: dict[str, list[dict[str, Any]]] = {}
    mine = in_force.filter(
        pc.is_in(in_force.column("employer_code"), pa.array(chosen, pa.string()))
    )
    for r in mine.to_pylist():
        by_employer.setdefault(r["employer_code"], []).append(r)
    info = {e["employer_code"]: e for e in employers}
    ids = pc.drop_null(in_force.column("person_id"))
    enrolled_ids = pc.unique(ids.filter(pc.not_equal(ids, "")).combine_chunks())
    residents = pq.read_table(
        inputs / "residents.parquet",
        columns=["person_id", "full_name", "sex", "birth_date", "death_date"],
    )
    born = pc.year(residents.column("birth_date"))
    spare = residents.filter(
        pc.and_kleene(
            pc.and_kleene(
                pc.is_null(residents.column("death_date")),
                pc.invert(pc.is_in(residents.column("person_id"), value_set=enrolled_ids)),
            ),
            pc.and_kleene(pc.greater_equal(born, 1970), pc.less_equal(born, 2004)),
        )
    )
    spare_at = 0
    out_rows: list[dict[str, Any]] = []
    folder = inputs / "forms" / "d02lt"
    for index, code in enumerate(chosen):
        people = sorted(
            by_employer[code], key=lambda r: (r["full_name"] or "", r["person_id"] or "")
        )
        workers = [
            Worker(
                full_name=r["full_name"],
                si_code=r["si_code"],
                birth_date=_dmy(_to_date(r["birth_date"])),
                sex=SEX_VI.get(r["sex"], "Nam"),
                person_id=r["person_id"],
                position="Công nhân" if k % 7 else "Tổ trưởng",
                job=3 if k % 7 else 0,
                # the contribution wage split into wage and position allowance (team leads)
                wage=int(r["contribution_wage"] or 5_310_000) - (0 if k % 7 else 500_000),
                allowance_position=None if k % 7 else 500_000,
                contract_start=_dmy(_to_date(r["start_date"])),
                contribution_start=f"{_to_date(r['start_date']):%m/%Y}",
            )
            for k, r in enumerate(people)
        ]
        if index % 3 == 0 and spare.num_rows:  # lists more workers than it pays for
            median = int(np.median([w.wage for w in workers]))
            for _ in range(1 + index % 4 + 1):
                p = spare.slice(spare_at % spare.num_rows, 1).to_pylist()[0]
                spare_at += 1
                workers.append(
                    Worker(
                        full_name=p["full_name"],
                        si_code=None,
                        birth_date=_dmy(_to_date(p["birth_date"])),
                        sex=SEX_VI.get(p["sex"], "Nam"),
                        person_id=p["person_id"],
                        position="Công nhân",
                        job=3,
                        wage=median,
                        note="Chưa đăng ký BHXH",
                    )
                )
        name = f"D02-LT_{code}_{period:%Y-%m}.xlsx"
        path = folder / name
        rejected: set[int] = set()
        if index == 0 and len(workers) >= 4:  # planted: an impossible date, a missing name
            workers[1].birth_date = "31/02/1990"
            workers[2].full_name = ""
            rejected = {1, 2}
        where = write_d02lt(path, info[code], period, workers)
        for k in sorted(rejected):
            row = where["first"] + k
            if k == 1:
                planted.add(f"forms/d02lt/{name}", row, "Ngày sinh", "bad_date")
            else:
                planted.add(f"forms/d02lt/{name}", row, "Họ và tên", "required")
        for k, w in enumerate(workers):
            if k in rejected:
                continue
            out_rows.append(
                {
                    "employer_code": code,
                    "period": period,
                    "row_no": k + 1,
                    "full_name": w.full_name,
                    "si_code": w.si_code,
                    "birth_date": dt.datetime.strptime(w.birth_date, "%d/%m/%Y").date(),
                    "sex": "male" if w.sex == "Nam" else "female",
                    "person_id": w.person_id,
                    "position": w.position,
                    "job_manager": "x" if w.job == 0 else None,
                    "job_senior": "x" if w.job == 1 else None,
                    "job_middle": "x" if w.job == 2 else None,
                    "job_other": "x" if w.job == 3 else None,
                    "wage": w.wage,
                    "allowance_position": w.allowance_position,
                    "seniority_over_frame_pct": None,
                    "seniority_job_pct": None,
                    "allowance_wage": w.allowance_wage,
                    "additional_pay": w.additional_pay,
                    "hazardous_from": None,
                    "hazardous_to": None,
                    "contract_type": w.contract_type,
                    "contract_start": None
                    if w.contract_start is None
                    else dt.datetime.strptime(w.contract_start, "%d/%m/%Y").date(),
                    "contract_end": None,
                    "contribution_start": None
                    if w.contribution_start is None
                    else dt.datetime.strptime("01/" + w.contribution_start, "%d/%m/%Y").date(),
                    "contribution_end": None,
                    "note": w.note,
                }
            )
    return out_rows, len(chosen)


def _edeclaration_sample(
    inputs: Path, rng: np.random.Generator, planted: Planted, as_of: dt.date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    agents = _read_csv(inputs / "agents.csv")
    agents = agents.rename_columns(["agent_code", "agent_name", "office_code"]).to_pylist()
    collectors = _read_csv(inputs / "collectors.csv")
    collectors = collectors.rename_columns(
        ["collector_code", "full_name", "agent_code", "hamlet_code", "phone"]
    ).to_pylist()
    agent_of = {str(c["collector_code"]): str(c["agent_code"]) for c in collectors}
    since = as_of - dt.timedelta(days=365)
    table = pq.read_table(
        inputs / "enrolments.parquet",
        columns=[
            "person_id",
            "si_code",
            "full_name",
            "sex",
            "birth_date",
            "scheme",
            "payer",
            "start_date",
            "contribution_wage",
            "collector_code",
        ],
    )
    # only the rows the loop below can pick (a collector's, started in the last year, a
    # household card or voluntary BHXH), selected in Arrow before they become Python rows
    start = table.column("start_date")
    scheme = table.column("scheme")
    chosen = table.filter(
        pc.and_kleene(
            pc.and_kleene(
                pc.is_in(table.column("collector_code"), value_set=pa.array(sorted(agent_of))),
                pc.and_kleene(
                    pc.greater_equal(start, pa.scalar(since, pa.date32())),
                    pc.less_equal(start, pa.scalar(as_of, pa.date32())),
                ),
            ),
            pc.or_kleene(
                pc.equal(scheme, "bhxh_voluntary"),
                pc.and_kleene(
                    pc.equal(scheme, "bhyt"),
                    pc.equal(pc.fill_null(table.column("payer"), ""), "household"),
                ),
            ),
        )
    )
    # each row's agent; the agents with the most rows are sampled, and only their rows
    # become Python values
    codes = pa.array(list(agent_of), pa.string())
    agent_col = pa.array(list(agent_of.values()), pa.string()).take(
        pc.index_in(chosen.column("collector_code"), value_set=codes)
    )
    chosen = chosen.append_column("_agent", agent_col)
    counted = chosen.group_by("_agent").aggregate([("_agent", "count")]).to_pylist()
    rows_of = {str(c["_agent"]): int(c["_agent_count"]) for c in counted}
    ranked = sorted(rows_of, key=lambda a: (-rows_of[a], a))[:AGENTS]
    enrolments = chosen.filter(pc.is_in(chosen.column("_agent"), value_set=pa.array(ranked)))
    enrolments = enrolments.drop_columns(["_agent"]).to_pylist()
    picked: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for r in enrolments:
        agent = agent_of.get(str(r["collector_code"])) if r["collector_code"] else None
        if (
            agent is None
            or r["start_date"] is None
            or not (since <= _to_date(r["start_date"]) <= as_of)
        ):
            continue
        kind = (
            "D03-TS"
            if (r["scheme"], r["payer"]) == ("bhyt", "household")
            else "D05-TS"
            if r["scheme"] == "bhxh_voluntary"
            else None
        )
        if kind is None:
            continue
        picked.setdefault(agent, {}).setdefault(kind, []).append(r)
    info = {str(a["agent_code"]): a for a in agents}
    receipts: list[dict[str, Any]] = []
    registrations: list[dict[str, Any]] = []
    folder = inputs / "forms" / "edeclaration"
    folder.mkdir(parents=True, exist_ok=True)
    files = 0
    low, high = income_bounds(as_of)
    for a_index, agent in enumerate(ranked):
        submitter = {
            "code": agent,
            "name": str(info[agent]["agent_name"]),
            "office": str(info[agent]["office_code"]),
        }
        serial = 0
        for kind in ("D03-TS", "D05-TS"):
            people = sorted(
                picked[agent].get(kind, []),
                key=lambda r: (str(r["start_date"]), r["full_name"] or ""),
            )[:RECEIPTS_PER_FORM]
            if not people:
                continue
            rows: list[dict[str, Any]] = []
            for k, r in enumerate(people):
                serial += 1
                start = _to_date(r["start_date"])
                receipt_no = f"{a_index + 1:02d}{serial:06d}"
                receipt_day = start - dt.timedelta(days=3)
                if kind == "D03-TS":
                    months = 12
                    amount = household_bhyt(1, start)["monthly"] * months
                    row = {
                        "HoTen": r["full_name"],
                        "MasoBHXH": r["si_code"],
                        "CCCD": r["person_id"],
                        "NgaySinh": _dmy(_to_date(r["birth_date"])),
                        "MaBenhVien": "75001",
                        "NgayBienLai": _dmy(receipt_day),
                        "SoBienLai": receipt_no,
                        "Tiendong": amount,
                        "Sothang": months,
                        "TuNgay": _dmy(start),
                        "MaNhanVienThu": r["collector_code"],
                        "SoTheBHYT": None,
                        "LoaiDoiTuong": "GD",
                    }
                    scheme, period_start = "bhyt", start
                else:
                    months = 3
                    income = int(min(max(int(r["contribution_wage"] or low), low), high))
                    calc = voluntary_bhxh(income, "other", start)
                    amount = int(calc["gross"]) * months
                    row = {
                        "HoTen": r["full_name"],
                        "MasoBHXH": r["si_code"],
                        "CCCD": r["person_id"],
                        "MucTien": income,
                        "Tuthang": f"{start:%m/%Y}",
                        "Sothang": months,
                        "Tongtien": amount,
                        "TienTudong": int(calc["payable"]) * months,
                        "TienHotro": int(calc["subsidy"]) * months,
                        "Phuongthuc": "03",
                        "NgayBienLai": _dmy(receipt_day),
                        "SoBienLai": receipt_no,
                        "MaNhanVienThu": r["collector_code"],
                    }
                    scheme, period_start = "bhxh_voluntary", start.replace(day=1)
                bad = a_index == 0 and k == 1  # planted: a receipt for zero months
                if bad:
                    row["Sothang"] = 0
                rows.append(row)
                if not bad:
                    receipts.append(
                        {
                            "agent_code": agent,
                            "receipt_no": receipt_no,
                            "receipt_date": receipt_day,
                            "collector_code": r["collector_code"],
                            "school_code": None,
                            "person_id": r["person_id"],
                            "si_code": r["si_code"],
                            "full_name": r["full_name"],
                            "scheme": scheme,
                            "amount": amount,
                            "months": months,
                            "period_start": period_start,
                            "enrolment_id": None,
                        }
                    )
            money_key = "Tiendong" if kind == "D03-TS" else "Tongtien"
            xml = edeclaration_xml(
                submitter,
                f"HS{agent}{kind[:3]}",
                as_of,
                [(kind, rows, sum(int(r[money_key]) for r in rows))],
            )
            name = f"{agent}_{kind}.xml"
            (folder / name).write_text(xml, encoding="utf-8")
            files += 1
            if a_index == 0 and len(rows) > 1:
                planted.add(
                    f"forms/edeclaration/{name}",
                    row_line(xml, f"<SoBienLai>{rows[1]['SoBienLai']}<"),
                    "Số tháng",
                    "not_positive",
                )
            if kind == "D03-TS":  # the same people registered (TK1-TS)
                regs = []
                for k, r in enumerate(people):
                    regs.append(
                        {
                            "STT": k + 1,
                            "HoTen": r["full_name"],
                            "NgaySinh": _dmy(_to_date(r["birth_date"])),
                            "GioiTinh": SEX_VI.get(r["sex"], "Nam"),
                            "QuocTich": "VN",
                            "DanToc": "01",
                            "MasoBHXH": r["si_code"],
                            "CMND": r["person_id"],
                            "Maho_Giadinh": None,
                            "Mucdong": household_bhyt(1, _to_date(r["start_date"]))["monthly"],
                            "Phuongthuc": "12",
                            "MaBenhVien": "75001",
                        }
                    )
                bad_reg = 2 if a_index == 0 and len(regs) > 2 else None
                if bad_reg is not None:
                    regs[bad_reg]["NgaySinh"] = "45/13/1990"
                dossier = f"HS{agent}TK1"
                xml = edeclaration_xml(
                    submitter,
                    dossier,
                    as_of,
                    [("TK1-TS", regs, sum(int(r["Mucdong"]) for r in regs))],
                )
                reg_name = f"{agent}_TK1-TS.xml"
                (folder / reg_name).write_text(xml, encoding="utf-8")
                files += 1
                if bad_reg is not None:
                    planted.add(
                        f"forms/edeclaration/{reg_name}",
                        row_line(xml, "<NgaySinh>45/13/1990<"),
                        "Ngày sinh",
                        "bad_date",
                    )
                for k, (reg, r) in enumerate(zip(regs, people, strict=True)):
                    if k == bad_reg:
                        continue
                    registrations.append(
                        {
                            "submitter_code": agent,
                            "dossier_no": dossier,
                            "submitted_date": as_of,
                            "row_no": k + 1,
                            "full_name": r["full_name"],
                            "birth_date": _to_date(r["birth_date"]),
                            "sex": r["sex"],
                            "nationality": "VN",
                            "ethnicity": "01",
                            "si_code": r["si_code"],
                            "person_id": r["person_id"],
                            "household_code": None,
                            "amount": reg["Mucdong"],
                            "payment_method": "12",
                            "hospital_code": "75001",
                        }
                    )
    return receipts, registrations, files


def _malformed(
    folder: Path, inputs: Path, workforce: list[dict[str, Any]], receipts: list[dict[str, Any]]
) -> None:
    """Forms whose structure is wrong, and how each must be refused."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, dict[str, Any]] = {}
    employers = {
        e["employer_code"]: e for e in pq.read_table(inputs / "employers.parquet").to_pylist()
    }
    if workforce:
        code = workforce[0]["employer_code"]
        period = workforce[0]["period"]
        workers = [
            Worker(
                r["full_name"],
                r["si_code"],
                _dmy(r["birth_date"]),
                "Nam" if r["sex"] == "male" else "Nữ",
                r["person_id"],
                r["position"] or "",
                3,
                r["wage"],
            )
            for r in workforce
            if r["employer_code"] == code
        ][:6]
        names = [name for name, _, _ in D02LT_COLUMNS]
        labels = {name: label for name, _, label in D02LT_COLUMNS}
        for variant in (
            "missing_header_row",
            "merged_data",
            "bad_total",
            "bad_count",
            "no_total",
            "no_period",
        ):
            name = f"D02-LT_{variant}.xlsx"
            where = write_d02lt(folder / name, employers[code], period, workers, variant)
            if variant == "missing_header_row":
                expected[name] = {
                    "code": "form_header_row_missing",
                    "row": where["top"] + 1,
                    "column": None,
                }
            elif variant == "merged_data":
                expected[name] = {
                    "code": "form_merged_cells",
                    "row": where["first"],
                    "column": labels["wage"],
                }
            elif variant == "bad_total":
                expected[name] = {
                    "code": "form_totals",
                    "row": where["total"],
                    "column": labels["wage"],
                }
            elif variant == "bad_count":
                expected[name] = {
                    "code": "form_totals",
                    "row": where["total"],
                    "column": labels["full_name"],
                }
            elif variant == "no_total":
                expected[name] = {"code": "form_no_total", "row": None, "column": None}
            else:
                expected[name] = {"code": "form_heading_missing", "row": None, "column": None}
        del names
    if receipts:
        agent = receipts[0]["agent_code"]
        rows = [
            {
                "HoTen": r["full_name"],
                "CCCD": r["person_id"],
                "NgayBienLai": _dmy(r["receipt_date"]),
                "SoBienLai": r["receipt_no"],
                "Tiendong": r["amount"],
                "Sothang": r["months"],
                "TuNgay": _dmy(r["period_start"]),
                "MaNhanVienThu": r["collector_code"],
            }
            for r in receipts
            if r["agent_code"] == agent and r["scheme"] == "bhyt"
        ][:5]
        submitter = {"code": agent, "name": agent, "office": ""}
        day = receipts[0]["receipt_date"]
        total = sum(int(r["Tiendong"]) for r in rows)
        cases = {
            "D03-TS_bad_total.xml": (
                edeclaration_xml(submitter, "X1", day, [("D03-TS", rows, total + 1000)]),
                "form_totals",
                "<TongTien>",
                "TongTien",
            ),
            "D03-TS_no_ivan.xml": (
                edeclaration_xml(submitter, "X2", day, [("D03-TS", rows, total)], ivan=False),
                "xml_envelope",
                None,
                None,
            ),
            "D03-TS_entity.xml": (
                edeclaration_xml(submitter, "X3", day, [("D03-TS", rows, total)], doctype=True),
                "xml_unsafe",
                None,
                None,
            ),
            "D04-TS_unknown.xml": (
                edeclaration_xml(submitter, "X4", day, [("D04-TS", rows, total)]),
                "xml_unknown_form",
                "<MaToKhai>",
                "MaToKhai",
            ),
        }
        for name, (xml, code_, needle, column) in cases.items():
            (folder / name).write_text(xml, encoding="utf-8")
            expected[name] = {
                "code": code_,
                "row": row_line(xml, needle) if needle else None,
                "column": column,
            }
        good = edeclaration_xml(submitter, "X5", day, [("D03-TS", rows, total)])
        cut = good[: len(good) * 2 // 3]
        (folder / "D03-TS_cut.xml").write_text(cut, encoding="utf-8")
        expected["D03-TS_cut.xml"] = {"code": "xml_malformed", "row": None, "column": None}
    (folder / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
