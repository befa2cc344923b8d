"""Synthetic health facilities of a province and the price list they bill against.

One commune health station per commune, one regional health centre per grassroots office
area, a handful of provincial hospitals in the most populous communes (general, children's,
obstetrics …), private hospitals, and central hospitals where a province has them.  Codes
are MA_CSKCB-like: the two-digit province code and three digits.  The price list
(``tender_prices``) gives each drug's tender price from each January and each service's
official price from each July, for every facility of the province (facility code empty).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa

from baophu.synth.claims_catalog import (
    BEDS,
    DRUG_PRICE_YEARLY,
    DRUGS,
    EXAMS,
    IMAGING,
    LABS,
    PRIVATE_HOSPITALS,
    PROVINCIAL_HOSPITALS,
    SERVICE_PRICE_JULY,
    SUPPLIES,
    SURGERIES,
    Item,
)
from baophu.synth.geography import Geography

PROVINCIAL_NAMES = (
    "Bệnh viện Đa khoa tỉnh {p}",
    "Bệnh viện Nhi đồng {p}",
    "Bệnh viện Phụ sản {p}",
    "Bệnh viện Đa khoa Thống Nhất {p}",
    "Bệnh viện Y học cổ truyền {p}",
    "Bệnh viện Phổi {p}",
)
PRIVATE_NAMES = (
    "Bệnh viện Đa khoa Tâm Đức",
    "Bệnh viện Đa khoa Hoàn Mỹ",
    "Bệnh viện Quốc tế Sài Gòn",
    "Bệnh viện Đa khoa Tân Hưng",
    "Bệnh viện Đa khoa An Phước",
    "Bệnh viện Đa khoa Vạn Phúc",
)
CENTRAL_PROVINCES = (1, 79, 46)  # Hà Nội, Hồ Chí Minh City, Huế
# how strongly patients pick each provincial hospital (general, children's, obstetrics …)
PROVINCIAL_WEIGHTS = np.array([0.40, 0.16, 0.16, 0.16, 0.06, 0.06])
CHILDREN, OBSTETRICS = 1, 2
BEDS_BY_LEVEL = {"central": 1500, "provincial": 600, "regional": 250, "private": 200}


@dataclass
class Facilities:
    """Facilities as index-aligned arrays."""

    code: list[str]
    name: list[str]
    level: np.ndarray  # str: central / provincial / regional / commune_station
    private: np.ndarray  # bool
    commune: np.ndarray  # index into the geography's communes
    office: np.ndarray  # index into the geography's offices
    primary_care: np.ndarray  # bool
    beds: np.ndarray  # int, 0 where none planned
    station_of_commune: np.ndarray  # commune index -> facility index
    regional_of_office: np.ndarray  # office index -> facility index
    provincial: np.ndarray  # facility indices of the provincial hospitals (in name order)
    private_hospitals: np.ndarray
    central: np.ndarray

    @property
    def n(self) -> int:
        return len(self.code)

    def kind(self) -> np.ndarray:
        """Price level of each facility: its level, or "private"."""
        return np.where(self.private, "private", self.level)


def build_facilities(geo: Geography, seed_rng: np.random.Generator) -> Facilities:
    code2 = geo.province.code2
    short = geo.province.short_name
    codes: list[str] = []
    names: list[str] = []
    level: list[str] = []
    private: list[bool] = []
    commune: list[int] = []
    primary: list[bool] = []
    beds: list[int] = []

    def add(
        name: str, lvl: str, where: int, is_private: bool, takes_primary: bool, n_beds: int
    ) -> int:
        codes.append(f"{code2}{len(codes) + 1:03d}")
        names.append(name)
        level.append(lvl)
        private.append(is_private)
        commune.append(where)
        primary.append(takes_primary)
        beds.append(n_beds)
        return len(codes) - 1

    by_size = np.argsort(-geo.commune_share, kind="stable")
    central = [
        add(f"Bệnh viện Trung ương {short} {i + 1}", "central", int(by_size[i]), False, False, 1500)
        for i in range(2 if geo.province.code in CENTRAL_PROVINCES else 0)
    ]
    provincial = [
        add(n.format(p=short), "provincial", int(by_size[i % len(by_size)]), False, i == 0, 600)
        for i, n in enumerate(PROVINCIAL_NAMES[:PROVINCIAL_HOSPITALS])
    ]
    regional = np.zeros(len(geo.office_codes), dtype=np.int64)
    for office in range(len(geo.office_codes)):
        members = np.nonzero(geo.commune_office == office)[0]
        if len(members) == 0:
            members = by_size[:1]
        seat = int(members[np.argmax(geo.commune_share[members])])
        stem = geo.office_names[office].replace("BHXH cơ sở ", "").replace("BHXH ", "")
        regional[office] = add(f"Trung tâm Y tế khu vực {stem}", "regional", seat, False, True, 250)
    private_hospitals = [
        add(PRIVATE_NAMES[i % len(PRIVATE_NAMES)], "regional", int(seed_rng.choice(by_size[:12])),
            True, i % 2 == 0, 200)
        for i in range(PRIVATE_HOSPITALS)
    ]  # fmt: skip
    stations = np.zeros(geo.n_communes, dtype=np.int64)
    for c in range(geo.n_communes):
        stations[c] = add(f"Trạm Y tế {geo.commune_names[c]}", "commune_station", c, False, True, 0)
    commune_arr = np.array(commune, dtype=np.int64)
    return Facilities(
        code=codes,
        name=names,
        level=np.array(level),
        private=np.array(private),
        commune=commune_arr,
        office=geo.commune_office[commune_arr].astype(np.int64),
        primary_care=np.array(primary),
        beds=np.array(beds, dtype=np.int64),
        station_of_commune=stations,
        regional_of_office=regional,
        provincial=np.array(provincial, dtype=np.int64),
        private_hospitals=np.array(private_hospitals, dtype=np.int64),
        central=np.array(central, dtype=np.int64),
    )


def facilities_table(fac: Facilities, geo: Geography) -> pa.Table:
    """The ``facilities`` contract."""
    return pa.table(
        {
            "facility_code": pa.array(fac.code, pa.string()),
            "facility_name": pa.array(fac.name, pa.string()),
            "level": pa.array(fac.level.tolist(), pa.string()),
            "sector": pa.array(np.where(fac.private, "private", "public").tolist(), pa.string()),
            "commune_code": pa.array(geo.commune_codes[fac.commune].tolist(), pa.string()),
            "primary_care": pa.array(fac.primary_care),
            "planned_beds": pa.array(fac.beds, mask=fac.beds == 0),
        }
    )


def all_items() -> list[Item]:
    """Every billable item once (exams and beds of every level, services, supplies, drugs)."""
    seen: dict[tuple[str, str], Item] = {}
    for item in (
        *EXAMS.values(),
        *BEDS.values(),
        *LABS,
        *IMAGING,
        *SURGERIES.values(),
        *SUPPLIES,
        *DRUGS,
    ):
        seen.setdefault((item.table, item.code), item)
    return list(seen.values())


def item_kind(item: Item) -> str:
    if item.table == "drug":
        return "drug"
    return "supply" if item.group == "10" else "service"


def price_on(item: Item, day: date) -> float:
    """The reference unit price of an item on a day (VND, whole): drug tenders renewed each
    January, the service price list each July; 2025 is the catalogue's year."""
    if item.table == "drug" or item.group == "10":
        return float(round(item.price * (1 + DRUG_PRICE_YEARLY) ** (day.year - 2025)))
    half = day.year - 2025 + (0 if day.month >= 7 else -1)  # price lists from 1 July
    return float(round(item.price * (1 + SERVICE_PRICE_JULY) ** half))


def price_periods(first: date, last: date) -> list[tuple[date, date]]:
    """Consecutive periods with one price each: half-years from 1 January / 1 July."""
    periods = []
    year, half = first.year, 0 if first.month < 7 else 1
    while True:
        start = date(year, 1 if half == 0 else 7, 1)
        end = date(year, 6, 30) if half == 0 else date(year, 12, 31)
        if start > last:
            break
        periods.append((start, end))
        year, half = (year, 1) if half == 0 else (year + 1, 0)
    return periods


def tender_prices_table(first: date, last: date) -> pa.Table:
    """The ``tender_prices`` contract: one row per item and price period over the window."""
    rows: dict[str, list[object]] = {k: [] for k in (
        "item_kind", "item_code", "item_name", "unit", "unit_price", "tender_decision",
        "supplier", "facility_code", "valid_from", "valid_to")}  # fmt: skip
    for item in all_items():
        for start, end in price_periods(first, last):
            kind = item_kind(item)
            rows["item_kind"].append(kind)
            rows["item_code"].append(item.code)
            rows["item_name"].append(item.name)
            rows["unit"].append(item.unit)
            rows["unit_price"].append(price_on(item, start))
            rows["tender_decision"].append(
                f"QĐ {start.year}/QĐ-SYT (gói thầu tập trung)" if kind != "service"
                else f"Bảng giá DVKT từ {start:%d/%m/%Y}"
            )  # fmt: skip
            rows["supplier"].append(None)
            rows["facility_code"].append(None)
            rows["valid_from"].append(start)
            rows["valid_to"].append(end)
    types = {"unit_price": pa.float64(), "valid_from": pa.date32(), "valid_to": pa.date32()}
    return pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in rows.items()})
