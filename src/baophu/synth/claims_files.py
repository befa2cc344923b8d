"""The synthetic claims as files: monthly extracts (Parquet, the Ministry's column names) and,
for a sample of facility-months, the XML files facilities send (``GIAMDINHHS`` envelope,
each table base64-encoded), grouped by settlement month (NAM_QT, THANG_QT).

A batch of visits (one admission month) is turned into the three tables with their money
(line amounts rounded to the dong; the fund pays the benefit level of each line; claim
totals are sums of lines, so T_BHTT = T_TONGCHI_BH − T_BNCCT exactly) and handed to
``ClaimWriter``, which keeps one Parquet writer per table and settlement month open until no
later admission can settle in that month.
"""

from __future__ import annotations

import base64
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from baophu.synth.claims_catalog import DEPARTMENTS, DIAGNOSES
from baophu.synth.claims_facilities import Facilities
from baophu.synth.claims_lines import DRUG, ITEMS, Lines
from baophu.synth.claims_people import Population
from baophu.synth.claims_visits import CARE_TYPES, Doctors, Visits
from baophu.synth.dates import ymd

SETTLE_WITHIN = 3  # months: no admission settles later than this after its month
_TS = pa.timestamp("ms")


@dataclass
class Batch:
    """One admission month's claims, ready to write."""

    claims: pa.Table
    drugs: pa.Table
    services: pa.Table
    settlement: np.ndarray  # settlement month of each claim (datetime64[M])
    drug_claim: np.ndarray  # claim (row of ``claims``) of each drug line
    service_claim: np.ndarray  # claim of each service line
    facility: np.ndarray  # facility index of each claim
    fund_paid: np.ndarray  # T_BHTT of each claim


def _stamp(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype("datetime64[ms]"), _TS)


def _ymd(days: np.ndarray) -> pa.Array:
    """yyyymmdd text of each date (through integers: far cheaper than formatting dates)."""
    y, m, d = ymd(days.astype("datetime64[D]"))
    return pa.array(y * 10_000 + m * 100 + d).cast(pa.string())


_ITEM_CODE = pa.array([i.code for i in ITEMS], pa.string())
_ITEM_NAME = pa.array([i.name for i in ITEMS], pa.string())
_ITEM_UNIT = pa.array([i.unit for i in ITEMS], pa.string())
_ITEM_GROUP = np.array([i.group for i in ITEMS])
_ITEM_GROUP_TEXT = pa.array(_ITEM_GROUP.tolist(), pa.string())
_DEPARTMENT = pa.array(list(DEPARTMENTS), pa.string())
_DIAGNOSIS = pa.array([d.code for d in DIAGNOSES], pa.string())
_CARE = pa.array(list(CARE_TYPES), pa.string())
_TENDER_YEARS = np.arange(2000, 2100)
_TENDER = pa.array([f"QĐ {y}/QĐ-SYT;G1;N4" for y in _TENDER_YEARS], pa.string())


def _take(values: pa.Array, index: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """``values[index]`` as a dictionary column (codes repeat: nothing is copied); null
    where ``null``."""
    return pa.DictionaryArray.from_arrays(pa.array(index, pa.int32(), mask=null), values)


def batch_tables(
    visits: Visits,
    lines: Lines,
    pop: Population,
    fac: Facilities,
    doctors: Doctors,
    month: np.datetime64,
    province_code: str,
) -> Batch:
    n = visits.n
    codes = pa.array(fac.code, pa.string())
    prefix = str(month.astype("datetime64[M]")).replace("-", "")
    seq = pc.utf8_lpad(pa.array(np.arange(1, n + 1)).cast(pa.string()), 7, "0")
    ma_lk = pc.binary_join_element_wise(pa.scalar(prefix), seq, "")
    facility = _take(codes, visits.facility)
    benefit = pop.benefit[visits.person]
    # money of the lines
    order = np.lexsort((lines.ordered, lines.table, lines.visit))
    lines = lines.take(order)
    amount = lines.amount()
    fund = np.round(amount * benefit[lines.visit] / 100.0)
    copay = amount - fund
    group = _ITEM_GROUP[lines.item]
    is_drug = lines.table == DRUG
    is_supply = group == "10"
    total = np.bincount(lines.visit, weights=amount, minlength=n)
    fund_total = np.bincount(lines.visit, weights=fund, minlength=n)
    copay_total = np.bincount(lines.visit, weights=copay, minlength=n)
    drugs_total = np.bincount(lines.visit, weights=np.where(is_drug, amount, 0), minlength=n)
    supplies_total = np.bincount(lines.visit, weights=np.where(is_supply, amount, 0), minlength=n)
    # cards: ';'-joined when renewed during the stay
    card = pop.card_number.take(pa.array(visits.person))
    registered = codes.take(pa.array(pop.registered[visits.person]))
    renewed = ~np.isnat(visits.renewed_from)
    twice = pa.array(renewed)

    def joined(first: pa.Array, second: pa.Array) -> pa.Array:
        both = pc.binary_join_element_wise(first, second, ";")
        return pc.if_else(twice, both, first)

    valid_from = joined(
        _ymd(visits.card_from), _ymd(np.where(renewed, visits.renewed_from, visits.card_from))
    )
    valid_to = joined(
        _ymd(visits.card_to), _ymd(np.where(renewed, visits.renewed_to, visits.card_to))
    )
    settlement = visits.discharge.astype("datetime64[M]")
    year = settlement.astype("datetime64[Y]").astype(np.int64) + 1970
    month_no = settlement.astype(np.int64) % 12 + 1
    female = pop.female[visits.person]
    department = _take(_DEPARTMENT, visits.department)
    claims = pa.table(
        {
            "MA_LK": ma_lk,
            "STT": pa.array(np.arange(1, n + 1)),
            "MA_BN": pc.binary_join_element_wise(
                pa.scalar("BN"), pa.array(visits.person).cast(pa.string()), ""
            ),
            "HO_TEN": pop.full_name.take(pa.array(visits.person)),
            "SO_CCCD": pop.person_id.take(pa.array(visits.person)),
            "NGAY_SINH": pa.array(pop.birth[visits.person], pa.date32()),
            "GIOI_TINH": pa.array(np.where(female, 2, 1)),
            "MA_THE_BHYT": joined(card, card),
            "MA_DKBD": joined(registered, registered),
            "GT_THE_TU": valid_from,
            "GT_THE_DEN": valid_to,
            "MA_BENH_CHINH": _take(_DIAGNOSIS, visits.dx),
            "MA_BENH_KT": pa.nulls(n, pa.string()),
            "MA_DOITUONG_KCB": pa.array(np.full(n, "1")),
            "NGAY_VAO": _stamp(visits.admit),
            "NGAY_VAO_NOI_TRU": _stamp(visits.ward),
            "NGAY_RA": _stamp(visits.discharge),
            "SO_NGAY_DTRI": pa.array(visits.days.astype(np.int64)),
            "KET_QUA_DTRI": pa.array(np.full(n, "1")),
            "MA_LOAI_RV": pa.array(np.full(n, "1")),
            "T_THUOC": pa.array(drugs_total),
            "T_VTYT": pa.array(supplies_total),
            "T_TONGCHI_BV": pa.array(total),
            "T_TONGCHI_BH": pa.array(total),
            "T_BNTT": pa.array(np.zeros(n)),
            "T_BNCCT": pa.array(copay_total),
            "T_BHTT": pa.array(fund_total),
            "T_NGUONKHAC": pa.array(np.zeros(n)),
            "NAM_QT": pa.array(year),
            "THANG_QT": pa.array(month_no),
            "MA_LOAI_KCB": _take(_CARE, visits.care),
            "MA_KHOA": department,
            "MA_CSKCB": facility,
            "MATINH_CU_TRU": pa.array(np.full(n, province_code)),
        }
    )
    line_no = _numbers(lines.visit * 2 + lines.table)
    item_code = _take(_ITEM_CODE, lines.item)
    item_name = _take(_ITEM_NAME, lines.item)
    unit = _take(_ITEM_UNIT, lines.item)
    group_text = _take(_ITEM_GROUP_TEXT, lines.item)
    doctor_codes = pa.array(doctors.code, pa.string())
    year_of_line = visits.admit[lines.visit].astype("datetime64[Y]").astype(np.int64) + 1970
    common = {
        "MA_CSKCB": _take(codes, visits.facility[lines.visit]),
        "MA_LK": ma_lk.take(pa.array(lines.visit)),
        "STT": pa.array(line_no),
    }
    money = {
        "TYLE_TT_BH": pa.array(np.full(lines.n, 100.0)),
        "THANH_TIEN_BV": pa.array(amount),
        "THANH_TIEN_BH": pa.array(amount),
        "MUC_HUONG": pa.array(benefit[lines.visit].astype(np.int64)),
        "T_BHTT": pa.array(fund),
        "T_BNCCT": pa.array(copay),
    }
    where = {
        "MA_KHOA": _take(_DEPARTMENT, visits.department[lines.visit]),
        "MA_BAC_SI": _take(doctor_codes, visits.doctor[lines.visit]),
        "NGAY_YL": _stamp(lines.ordered),
    }
    tender = _take(_TENDER, year_of_line - _TENDER_YEARS[0])
    d = np.nonzero(is_drug)[0]
    dd = pa.array(d)
    drugs = pa.table(
        {
            **{k: v.take(pa.array(d)) for k, v in common.items()},
            "MA_THUOC": item_code.take(dd),
            "MA_NHOM": group_text.take(dd),
            "TEN_THUOC": item_name.take(dd),
            "DON_VI_TINH": unit.take(dd),
            "TT_THAU": tender.take(dd),
            "SO_LUONG": pa.array(lines.quantity[d]),
            "DON_GIA": pa.array(lines.price[d]),
            **{k: v.take(pa.array(d)) for k, v in money.items()},
            "T_BNTT": pa.array(np.zeros(len(d))),
            **{k: v.take(pa.array(d)) for k, v in where.items()},
        }
    )
    s = np.nonzero(~is_drug)[0]
    ss = pa.array(s)
    no_bed = pa.array(lines.bed[s] < 0)
    letter = pc.if_else(pa.array(lines.extra_bed[s]), pa.scalar("T"), pa.scalar("H"))
    number = pc.utf8_lpad(pa.array(np.maximum(lines.bed[s], 0)).cast(pa.string()), 3, "0")
    bed = pc.if_else(
        no_bed, pa.scalar(None, pa.string()), pc.binary_join_element_wise(letter, number, "")
    )
    services = pa.table(
        {
            **{k: v.take(pa.array(s)) for k, v in common.items()},
            "MA_DICH_VU": _take(_ITEM_CODE, lines.item[s], is_supply[s]),
            "MA_VAT_TU": _take(_ITEM_CODE, lines.item[s], ~is_supply[s]),
            "MA_NHOM": group_text.take(ss),
            "TEN_DICH_VU": item_name.take(ss),
            "DON_VI_TINH": unit.take(ss),
            "TT_THAU": _take(_TENDER, year_of_line[s] - _TENDER_YEARS[0], ~is_supply[s]),
            "SO_LUONG": pa.array(lines.quantity[s]),
            "DON_GIA_BV": pa.array(lines.price[s]),
            "DON_GIA_BH": pa.array(lines.price[s]),
            **{k: v.take(pa.array(s)) for k, v in money.items()},
            "MA_KHOA": where["MA_KHOA"].take(pa.array(s)),
            "MA_GIUONG": bed,
            "MA_BAC_SI": where["MA_BAC_SI"].take(pa.array(s)),
            "NGAY_YL": where["NGAY_YL"].take(pa.array(s)),
            "NGAY_KQ": _stamp(lines.ordered[s] + np.timedelta64(45, "m")),
        }
    )
    return Batch(
        claims,
        drugs,
        services,
        settlement,
        lines.visit[d],
        lines.visit[s],
        visits.facility,
        fund_total,
    )


def _settled_bytes(table: pa.Table) -> pa.Table:
    """Dictionary columns decoded before writing: Parquet files of dictionary arrays made by
    kernels are not byte-identical run after run (as ``writers._plain`` found), and they must
    be."""
    columns = [
        c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns
    ]
    return pa.table(columns, names=table.column_names)


def _numbers(group: np.ndarray) -> np.ndarray:
    """1, 2, 3 … within each run of equal (sorted) group values."""
    if len(group) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.concatenate([[True], group[1:] != group[:-1]])
    index = np.arange(len(group))
    first = np.maximum.accumulate(np.where(starts, index, 0))
    return index - first + 1


class ClaimWriter:
    """Files by settlement month: Parquet extracts, and XML for sampled facility-months."""

    def __init__(self, folder: Path, xml_folder: Path, xml_sample: set[tuple[str, str]]) -> None:
        self.folder = folder
        self.xml_folder = xml_folder
        self.xml_sample = xml_sample  # (facility code, "YYYY_MM")
        self.writers: dict[tuple[str, str], pq.ParquetWriter] = {}
        self.xml: dict[tuple[str, str], _XmlFile] = {}
        self.rows: dict[str, int] = {"claims": 0, "claim_drugs": 0, "claim_services": 0}
        self.xml_claims = 0

    def write(self, batch: Batch, open_from: np.datetime64) -> None:
        """Write a batch; months before ``open_from`` will receive nothing more."""
        months = batch.settlement
        facility = batch.claims.column("MA_CSKCB").cast(pa.string()).to_numpy(zero_copy_only=False)
        tags = np.char.replace(months.astype(str), "-", "_")
        in_xml = (
            np.array(
                [(f, t) in self.xml_sample for f, t in zip(facility, tags, strict=True)], dtype=bool
            )
            if self.xml_sample
            else np.zeros(len(tags), dtype=bool)
        )
        ma_lk = batch.claims.column("MA_LK")
        for tag in np.unique(tags):
            mine = (tags == tag) & ~in_xml
            self._extract(tag, batch, mine, ma_lk)
        for key in sorted({(f, t) for f, t, x in zip(facility, tags, in_xml, strict=True) if x}):
            rows = np.nonzero((facility == key[0]) & (tags == key[1]))[0]
            self._to_xml(key, batch, rows, ma_lk)
        self.close_before(open_from)

    def _extract(self, tag: str, batch: Batch, mine: np.ndarray, ma_lk: pa.ChunkedArray) -> None:
        if not mine.any():
            return
        parts = (
            ("claims", batch.claims, mine),
            ("claim_drugs", batch.drugs, mine[batch.drug_claim]),
            ("claim_services", batch.services, mine[batch.service_claim]),
        )
        for name, table, rows in parts:
            part = _settled_bytes(table.filter(pa.array(rows)))
            if part.num_rows == 0:
                continue
            key = (name, tag)
            if key not in self.writers:
                path = self.folder / f"{name}_{tag}.parquet"
                self.writers[key] = pq.ParquetWriter(path, part.schema, compression="snappy")
            self.writers[key].write_table(part)
            self.rows[name] += part.num_rows

    def _to_xml(
        self, key: tuple[str, str], batch: Batch, rows: np.ndarray, ma_lk: pa.ChunkedArray
    ) -> None:
        if key not in self.xml:
            self.xml[key] = _XmlFile(self.xml_folder, key)
        keys = ma_lk.take(pa.array(rows))
        claims = batch.claims.take(pa.array(rows))
        chosen = np.zeros(batch.claims.num_rows, dtype=bool)
        chosen[rows] = True
        drugs = batch.drugs.filter(pa.array(chosen[batch.drug_claim]))
        services = batch.services.filter(pa.array(chosen[batch.service_claim]))
        first = _elements(claims, "TONG_HOP").to_pylist()
        drug_docs = _grouped(drugs, "CHI_TIET_THUOC")
        service_docs = _grouped(services, "CHI_TIET_DVKT")
        for code, xml1 in zip(keys.to_pylist(), first, strict=True):
            self.xml[key].add(xml1, drug_docs.get(code), service_docs.get(code))
        self.xml_claims += len(rows)

    def close_before(self, month: np.datetime64) -> None:
        limit = str(month.astype("datetime64[M]")).replace("-", "_")
        for key in [k for k in self.writers if k[1] < limit]:
            self.writers.pop(key).close()
        for key in [k for k in self.xml if k[1] < limit]:
            self.xml.pop(key).close()

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()
        for xml in self.xml.values():
            xml.close()
        self.writers, self.xml = {}, {}


def _xml_text(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Values as the standard writes them: yyyymmddHHMM, yyyymmdd0000 for a birth date,
    amounts without a decimal point when whole, text escaped."""
    values = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    kind = values.type
    if pa.types.is_timestamp(kind):
        return pc.strftime(values, format="%Y%m%d%H%M")
    if pa.types.is_date(kind):
        return pc.binary_join_element_wise(pc.strftime(values, format="%Y%m%d"), "0000", "")
    if pa.types.is_floating(kind):
        whole = pc.equal(values, pc.round(values))
        as_int = pc.cast(pc.round(values), pa.int64()).cast(pa.string())
        return pc.if_else(whole, as_int, values.cast(pa.string()))
    text = values.cast(pa.string())
    if pa.types.is_string(kind):
        for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
            text = pc.replace_substring(text, char, entity)
    return text


def _elements(table: pa.Table, element: str) -> pa.Array:
    """One ``<element><TAG>value</TAG>…</element>`` text per row (MA_CSKCB left out of
    lines: the tables do not repeat it)."""
    pieces: list[pa.Array] = [pa.array([f"<{element}>"] * table.num_rows, pa.string())]
    for name in table.column_names:
        if name == "MA_CSKCB" and element != "TONG_HOP":
            continue
        text = _xml_text(table.column(name))
        full = pc.binary_join_element_wise(f"<{name}>", text, f"</{name}>", "")
        pieces.append(pc.fill_null(full, f"<{name}/>"))
    pieces.append(pa.array([f"</{element}>"] * table.num_rows, pa.string()))
    return pc.binary_join_element_wise(*pieces, "")


def _grouped(table: pa.Table, element: str) -> dict[str, str]:
    """MA_LK -> the concatenated row elements of its lines."""
    if table.num_rows == 0:
        return {}
    texts = _elements(table, element).to_pylist()
    codes = table.column("MA_LK").to_pylist()
    out: dict[str, list[str]] = {}
    for code, text in zip(codes, texts, strict=True):
        out.setdefault(code, []).append(text)
    return {k: "".join(v) for k, v in out.items()}


def _b64(document: str) -> str:
    text = '<?xml version="1.0" encoding="utf-8"?>\n' + document
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


class _XmlFile:
    """One facility-month as the facility would send it: HOSO bodies to a side file, the
    envelope (with SOLUONGHOSO) written around them on close."""

    def __init__(self, folder: Path, key: tuple[str, str]) -> None:
        self.path = folder / f"giamdinhhs_{key[0]}_{key[1]}.xml"
        self.body = self.path.with_suffix(".part")
        self.facility = key[0]
        self.count = 0
        self.fh = self.body.open("w", encoding="utf-8")

    def add(self, xml1: str, drugs: str | None, services: str | None) -> None:
        files = [("XML1", _b64(xml1))]
        if drugs:
            files.append(("XML2", _b64(
                f"<CHITIEU_CHITIET_THUOC><DSACH_CHI_TIET_THUOC>{drugs}</DSACH_CHI_TIET_THUOC>"
                "</CHITIEU_CHITIET_THUOC>")))  # fmt: skip
        if services:
            files.append(("XML3", _b64(
                f"<CHITIEU_CHITIET_DVKT_VTYT><DSACH_CHI_TIET_DVKT>{services}</DSACH_CHI_TIET_DVKT>"
                "</CHITIEU_CHITIET_DVKT_VTYT>")))  # fmt: skip
        inner = "".join(
            f"<FILEHOSO><LOAIHOSO>{k}</LOAIHOSO><NOIDUNGFILE>{v}</NOIDUNGFILE></FILEHOSO>"
            for k, v in files
        )
        self.fh.write(f"<HOSO>{inner}</HOSO>\n")
        self.count += 1

    def close(self) -> None:
        self.fh.close()
        with self.path.open("w", encoding="utf-8") as out:
            out.write('<?xml version="1.0" encoding="utf-8"?>\n<GIAMDINHHS>\n')
            out.write(f"<THONGTINDONVI><MACSKCB>{self.facility}</MACSKCB></THONGTINDONVI>\n")
            out.write(f"<THONGTINHOSO><NGAYLAP>{self.path.stem[-7:].replace('_', '')}01</NGAYLAP>")
            out.write(f"<SOLUONGHOSO>{self.count}</SOLUONGHOSO><DANHSACHHOSO>\n")
            with self.body.open("r", encoding="utf-8") as body:
                shutil.copyfileobj(body, out)
            out.write("</DANHSACHHOSO></THONGTINHOSO>\n<CHUKYDONVI/>\n</GIAMDINHHS>\n")
        self.body.unlink()
