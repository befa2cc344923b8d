"""Geography of the synthetic province: the 34 provinces, communes, offices and hamlets.

The provinces and communes are the real ones after the 2025 reform (package
``vietnam_provinces``); grassroots offices and hamlets are generated.  The merger table of
Resolution 202/2025/QH15 (34 new provinces ← 63 old ones) gives the old province codes that
personal IDs and legacy social-insurance codes of a province's natives carry.

The geography depends on the seed only, never on the scale: a province has the same
offices, hamlets and hamlet codes at every scale.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from vietnam_provinces import Province, Ward

from baophu.synth.strings import ascii_fold, nfc

# --------------------------------------------------------------------------------------
# The 34 provinces after Resolution 202/2025/QH15 (in force 12 June 2025)
# --------------------------------------------------------------------------------------
# new code: (old province codes merged into it, main first), approximate population
# 2024–2025 (persons), tax-code prefix of the main old province (approximate except Đồng Nai,
# whose enterprise codes start with 36), region profile, share of migrant households,
# provinces where residents commonly work (new codes).
MERGERS: dict[int, tuple[int, ...]] = {
    1: (1,),  # Hà Nội
    4: (4,),  # Cao Bằng
    8: (8, 2),  # Tuyên Quang + Hà Giang
    11: (11,),  # Điện Biên
    12: (12,),  # Lai Châu
    14: (14,),  # Sơn La
    15: (10, 15),  # Lào Cai + Yên Bái
    19: (19, 6),  # Thái Nguyên + Bắc Kạn
    20: (20,),  # Lạng Sơn
    22: (22,),  # Quảng Ninh
    24: (27, 24),  # Bắc Ninh + Bắc Giang
    25: (25, 26, 17),  # Phú Thọ + Vĩnh Phúc + Hòa Bình
    31: (31, 30),  # Hải Phòng + Hải Dương
    33: (33, 34),  # Hưng Yên + Thái Bình
    37: (37, 35, 36),  # Ninh Bình + Hà Nam + Nam Định
    38: (38,),  # Thanh Hóa
    40: (40,),  # Nghệ An
    42: (42,),  # Hà Tĩnh
    44: (45, 44),  # Quảng Trị + Quảng Bình
    46: (46,),  # Huế
    48: (48, 49),  # Đà Nẵng + Quảng Nam
    51: (51, 62),  # Quảng Ngãi + Kon Tum
    52: (64, 52),  # Gia Lai + Bình Định
    56: (56, 58),  # Khánh Hòa + Ninh Thuận
    66: (66, 54),  # Đắk Lắk + Phú Yên
    68: (68, 67, 60),  # Lâm Đồng + Đắk Nông + Bình Thuận
    75: (75, 70),  # Đồng Nai + Bình Phước
    79: (79, 74, 77),  # Hồ Chí Minh + Bình Dương + Bà Rịa–Vũng Tàu
    80: (72, 80),  # Tây Ninh + Long An
    82: (87, 82),  # Đồng Tháp + Tiền Giang
    86: (86, 83, 84),  # Vĩnh Long + Bến Tre + Trà Vinh
    91: (89, 91),  # An Giang + Kiên Giang
    92: (92, 93, 94),  # Cần Thơ + Hậu Giang + Sóc Trăng
    96: (96, 95),  # Cà Mau + Bạc Liêu
}

# Approximate 2024 population of the 63 old provinces (millions): weights for places of birth.
OLD_POPULATION: dict[int, float] = {
    1: 8.72,
    2: 0.91,
    4: 0.55,
    6: 0.33,
    8: 0.81,
    10: 0.77,
    11: 0.64,
    12: 0.48,
    14: 1.30,
    15: 0.85,
    17: 0.88,
    19: 1.34,
    20: 0.80,
    22: 1.38,
    24: 1.90,
    25: 1.50,
    26: 1.20,
    27: 1.50,
    30: 1.95,
    31: 2.10,
    33: 1.30,
    34: 1.90,
    35: 0.88,
    36: 1.90,
    37: 1.00,
    38: 3.76,
    40: 3.40,
    42: 1.30,
    44: 0.91,
    45: 0.65,
    46: 1.16,
    48: 1.25,
    49: 1.52,
    51: 1.25,
    52: 1.50,
    54: 0.88,
    56: 1.26,
    58: 0.60,
    60: 1.27,
    62: 0.58,
    64: 1.60,
    66: 1.90,
    67: 0.68,
    68: 1.33,
    70: 1.03,
    72: 1.19,
    74: 2.80,
    75: 3.30,
    77: 1.20,
    79: 9.50,
    80: 1.73,
    82: 1.80,
    83: 1.30,
    84: 1.00,
    86: 1.00,
    87: 1.60,
    89: 1.90,
    91: 1.75,
    92: 1.26,
    93: 0.73,
    94: 1.20,
    95: 0.92,
    96: 1.20,
}

# Old provinces that send many internal migrants (North Central coast, Red River delta).
MIGRANT_SOURCES: dict[int, float] = {
    38: 3.0,
    40: 3.0,
    42: 2.5,
    34: 2.5,
    36: 2.5,
    30: 1.5,
    44: 2.0,
    51: 2.0,
    52: 2.0,
    49: 1.5,
    37: 1.5,
    35: 1.5,
}


@dataclass(frozen=True)
class ProvinceInfo:
    """One of the 34 provinces with what the generator needs to know about it."""

    code: int  # new two-digit code
    name: str  # as in vietnam_provinces ("Đồng Nai", "Thành phố Hà Nội")
    population: int
    old_codes: tuple[int, ...]
    tax_prefix: str
    profile: str  # ethnicity / hamlet-naming profile
    migrant_share: float
    work_elsewhere: tuple[int, ...]  # new codes of provinces where residents commonly work
    is_city: bool

    @property
    def code2(self) -> str:
        return f"{self.code:02d}"

    @property
    def short_name(self) -> str:
        """Name without "Thành phố" ("Hà Nội")."""
        return self.name.removeprefix("Thành phố ").strip()

    @property
    def south(self) -> bool:
        """Southern provinces name their rural hamlets "ấp", the others "thôn"."""
        return self.profile in ("southeast", "mekong")


# code: (population, tax prefix, profile, migrant share, work elsewhere)
_PROVINCE_FACTS: dict[int, tuple[int, str, str, float, tuple[int, ...]]] = {
    1: (8_720_000, "01", "delta", 0.15, (24, 33)),
    4: (570_000, "48", "north_mountain", 0.02, (20, 1)),
    8: (1_870_000, "50", "north_mountain", 0.03, (1, 19)),
    11: (640_000, "56", "north_mountain", 0.02, (14, 1)),
    12: (490_000, "62", "north_mountain", 0.02, (15, 1)),
    14: (1_330_000, "55", "north_mountain", 0.03, (1, 25)),
    15: (1_780_000, "53", "north_mountain", 0.04, (1, 25)),
    19: (1_800_000, "46", "north_mountain", 0.06, (1, 24)),
    20: (810_000, "49", "north_mountain", 0.03, (1, 24)),
    22: (1_430_000, "57", "delta", 0.10, (31, 1)),
    24: (3_620_000, "23", "delta", 0.10, (1, 31)),
    25: (4_020_000, "26", "delta", 0.06, (1, 24)),
    31: (4_660_000, "02", "delta", 0.10, (1, 22)),
    33: (3_570_000, "09", "delta", 0.05, (1, 31)),
    37: (4_410_000, "27", "delta", 0.04, (1, 33)),
    38: (4_320_000, "28", "central", 0.02, (1, 79)),
    40: (3_830_000, "29", "central", 0.02, (1, 79)),
    42: (1_620_000, "30", "central", 0.02, (40, 79)),
    44: (1_870_000, "32", "central", 0.02, (46, 79)),
    46: (1_430_000, "33", "central", 0.05, (48, 79)),
    48: (3_070_000, "04", "central", 0.12, (46, 79)),
    51: (2_160_000, "43", "highlands", 0.04, (48, 79)),
    52: (3_580_000, "59", "highlands", 0.04, (79, 66)),
    56: (2_240_000, "42", "central", 0.06, (79, 68)),
    66: (3_350_000, "60", "highlands", 0.05, (79, 52)),
    68: (3_870_000, "58", "highlands", 0.07, (79, 75)),
    75: (4_500_000, "36", "southeast", 0.22, (79,)),
    79: (14_000_000, "03", "southeast", 0.30, (75, 80)),
    80: (3_250_000, "11", "southeast", 0.08, (79,)),
    82: (4_370_000, "14", "mekong", 0.03, (79, 92)),
    86: (4_260_000, "15", "mekong", 0.03, (79, 92)),
    91: (4_950_000, "16", "mekong", 0.03, (79, 92)),
    92: (4_200_000, "18", "mekong", 0.05, (79, 91)),
    96: (2_610_000, "20", "mekong", 0.03, (79, 92)),
}


def _fold(text: str) -> str:
    text = ascii_fold(nfc(text)).lower()
    for prefix in ("thanh pho ", "tinh ", "tp. ", "tp "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return " ".join(text.replace("-", " ").split())


def provinces() -> list[ProvinceInfo]:
    """All 34 provinces, in code order."""
    out = []
    for p in Province.iter_all():
        code = int(p.code)
        pop, tax, profile, migrant, elsewhere = _PROVINCE_FACTS[code]
        out.append(
            ProvinceInfo(
                code=code,
                name=nfc(p.name),
                population=pop,
                old_codes=MERGERS[code],
                tax_prefix=tax,
                profile=profile,
                migrant_share=migrant,
                work_elsewhere=elsewhere,
                is_city=p.name.startswith("Thành phố"),
            )
        )
    return sorted(out, key=lambda info: info.code)


_ALIASES = {"hcm": 79, "tp hcm": 79, "tphcm": 79, "sai gon": 79, "ha noi": 1, "hue": 46}


def resolve_province(name: str) -> ProvinceInfo:
    """The province named ``name`` (any case, with or without diacritics or "Tỉnh"/"Thành phố").

    Raises ``ValueError`` listing the valid names when nothing matches.
    """
    wanted = _fold(str(name))
    table = provinces()
    for info in table:
        if _fold(info.name) == wanted or _fold(info.short_name) == wanted:
            return info
    if wanted in _ALIASES:
        return next(info for info in table if info.code == _ALIASES[wanted])
    valid = ", ".join(info.short_name for info in table)
    raise ValueError(f"unknown province {name!r}; valid names: {valid}")


# --------------------------------------------------------------------------------------
# Communes, offices, hamlets
# --------------------------------------------------------------------------------------
OFFICES_BY_PROVINCE = {75: 14}  # the seeds give Đồng Nai's figure; others ≈ 1 per 7 communes
PEOPLE_PER_HAMLET = 2_200

HAMLET_NAMES = (
    "Phú Lợi",
    "Tân Hòa",
    "Bình Minh",
    "Hòa Bình",
    "Tân Lập",
    "Phú Sơn",
    "Bàu Cá",
    "Suối Cát",
    "Tân Phong",
    "An Bình",
    "Long Đức",
    "Hưng Thịnh",
    "Thanh Hóa",
    "Bến Cam",
    "Phước Lai",
    "Trung Tâm",
    "Thống Nhất",
    "Quyết Thắng",
    "Đồng Tâm",
    "Tân Thành",
    "Phú Hòa",
    "Xuân Thạnh",
    "Bình Lâm",
    "Cây Gáo",
    "Sông Mây",
    "Tân Bình",
    "An Lợi",
    "Hiệp Phước",
    "Phú Thạnh",
    "Phước Hòa",
    "Tân Mai",
    "Gia Yên",
    "Hòa Hiệp",
    "Lạc Sơn",
    "Suối Đá",
    "Bàu Sen",
    "Đồi Rìu",
    "Long Khánh",
    "Thái Hòa",
    "Ngọc Lâm",
    "Phú Mỹ",
    "Tân Lợi",
    "Bình Tiến",
    "Vĩnh An",
    "Đông Hải",
    "Tây Sơn",
    "Nam Hà",
    "Bắc Sơn",
    "Đức Thắng",
    "Thuận An",
    "Minh Hưng",
    "Hòa Thuận",
    "Phú Cường",
    "Kim Long",
    "Quang Trung",
    "Tân Tiến",
    "Hợp Thành",
    "An Phú",
    "Cẩm Đường",
    "Tân Định",
    "Phước Thiền",
    "Bình Phú",
    "Thạnh Phú",
    "Tân Hạnh",
    "Long Tân",
    "Suối Trầu",
    "Bàu Tre",
    "Trảng Lớn",
    "Xóm Mới",
    "Lộc Hòa",
    "Phú Xuân",
    "Đa Tân",
)


@dataclass
class Geography:
    """Offices, communes and hamlets of one province (index-aligned numpy arrays)."""

    province: ProvinceInfo
    office_codes: list[str]
    office_names: list[str]
    commune_codes: np.ndarray  # str
    commune_names: np.ndarray  # str
    commune_types: np.ndarray  # "xã" / "phường" / "đặc khu"
    commune_office: np.ndarray  # int index into offices
    commune_share: np.ndarray  # float, share of the province population
    commune_region: np.ndarray  # int 1..4, regional minimum-wage region
    hamlet_codes: np.ndarray  # str, 8 digits
    hamlet_names: np.ndarray  # str
    hamlet_types: np.ndarray  # "khu phố" / "ấp" / "thôn"
    hamlet_commune: np.ndarray  # int index into communes
    hamlet_share: np.ndarray  # float, share of the province population
    _arrow: dict[str, pa.Array] = field(default_factory=dict)

    @property
    def n_communes(self) -> int:
        return len(self.commune_codes)

    @property
    def n_hamlets(self) -> int:
        return len(self.hamlet_codes)

    def arrow(self, name: str) -> pa.Array:
        """A cached Arrow copy of one of the string arrays (for ``take``)."""
        if name not in self._arrow:
            self._arrow[name] = pa.array(list(getattr(self, name)), type=pa.string())
        return self._arrow[name]

    @property
    def commune_is_urban(self) -> np.ndarray:
        return self.commune_types == "phường"

    def commune_stem(self, index: int) -> str:
        """Commune name without its type ("Phường Biên Hòa" → "Biên Hòa")."""
        name = str(self.commune_names[index])
        for prefix in ("Phường ", "Xã ", "Đặc khu "):
            if name.startswith(prefix):
                return name[len(prefix) :]
        return name


def stable_rng(seed: int, step: str) -> np.random.Generator:
    """An independent random stream for ``step`` of run ``seed`` (stable across runs)."""
    key = int.from_bytes(hashlib.sha256(step.encode()).digest()[:8], "little")
    return np.random.default_rng(np.random.SeedSequence([seed, key]))


def build_geography(province: ProvinceInfo, seed: int) -> Geography:
    """Offices, communes and hamlets of ``province`` (independent of the scale)."""
    rng = stable_rng(seed, "geography")
    wards = sorted(
        (w for w in Ward.iter_all() if int(w.province_code) == province.code),
        key=lambda w: int(w.code),
    )
    n = len(wards)
    codes = np.array([f"{int(w.code):05d}" for w in wards])
    names = np.array([nfc(w.name) for w in wards])
    types = np.array([nfc(w.division_type.value) for w in wards])

    n_offices = OFFICES_BY_PROVINCE.get(province.code, max(1, round(n / 7)))
    groups = np.array_split(np.arange(n), n_offices)
    commune_office = np.empty(n, dtype=np.int64)
    office_codes, office_names = [], []
    for i, members in enumerate(groups):
        commune_office[members] = i
        office_codes.append(f"{province.code2}BH{i + 1:02d}")
        first = str(names[members[0]])
        stem = first.split(" ", 1)[1] if " " in first else first
        if first.startswith("Đặc khu "):
            stem = first[len("Đặc khu ") :]
        office_names.append(f"BHXH cơ sở {stem}")

    urban = types == "phường"
    weight = rng.lognormal(0.0, 0.45, n) * np.where(urban, 1.7, 1.0)
    weight = np.where(types == "đặc khu", weight * 0.4, weight)
    commune_share = weight / weight.sum()

    region = np.where(
        urban,
        np.where(rng.random(n) < 0.8, 1, 2),
        rng.choice([1, 2, 3, 4], size=n, p=[0.2, 0.35, 0.35, 0.1]),
    )
    if province.code in (1, 79):
        region = np.where(urban, 1, np.where(rng.random(n) < 0.5, 1, 2))

    full_pop = commune_share * province.population
    n_hamlets = np.maximum(3, np.round(full_pop / PEOPLE_PER_HAMLET)).astype(np.int64)
    h_codes: list[str] = []
    h_names: list[str] = []
    h_types: list[str] = []
    h_commune: list[int] = []
    rural_word = "Ấp" if province.south else "Thôn"
    for c in range(n):
        k = int(n_hamlets[c])
        if urban[c]:
            kind, labels = "khu phố", [f"Khu phố {j + 1}" for j in range(k)]
        else:
            kind = rural_word.lower()
            if rng.random() < 0.45 and k <= len(HAMLET_NAMES):
                picks = rng.choice(len(HAMLET_NAMES), size=k, replace=False)
                labels = [f"{rural_word} {HAMLET_NAMES[j]}" for j in sorted(picks)]
            else:
                labels = [f"{rural_word} {j + 1}" for j in range(k)]
        for j, label in enumerate(labels):
            h_codes.append(f"{codes[c]}{j + 1:03d}")
            h_names.append(nfc(label))
            h_types.append(kind)
            h_commune.append(c)
    hamlet_commune = np.array(h_commune, dtype=np.int64)
    within = rng.lognormal(0.0, 0.35, len(h_codes))
    totals = np.bincount(hamlet_commune, weights=within, minlength=n)
    hamlet_share = within / totals[hamlet_commune] * commune_share[hamlet_commune]
    return Geography(
        province=province,
        office_codes=office_codes,
        office_names=office_names,
        commune_codes=codes,
        commune_names=names,
        commune_types=types,
        commune_office=commune_office,
        commune_share=commune_share,
        commune_region=region.astype(np.int64),
        hamlet_codes=np.array(h_codes),
        hamlet_names=np.array(h_names),
        hamlet_types=np.array(h_types),
        hamlet_commune=hamlet_commune,
        hamlet_share=hamlet_share / hamlet_share.sum(),
    )


def units_table(geo: Geography) -> pa.Table:
    """The ``units`` contract: province → offices → communes → hamlets."""
    p = geo.province
    pcode = p.code2
    codes = [pcode, *geo.office_codes, *geo.commune_codes.tolist(), *geo.hamlet_codes.tolist()]
    names = [p.name, *geo.office_names, *geo.commune_names.tolist(), *geo.hamlet_names.tolist()]
    levels = (
        ["province"]
        + ["office"] * len(geo.office_codes)
        + ["commune"] * geo.n_communes
        + ["hamlet"] * geo.n_hamlets
    )
    parents: list[str | None] = [None, *([pcode] * len(geo.office_codes))]
    parents += [geo.office_codes[i] for i in geo.commune_office]
    parents += [str(geo.commune_codes[i]) for i in geo.hamlet_commune]
    types = (
        ["thành phố" if p.is_city else "tỉnh"]
        + ["BHXH cơ sở"] * len(geo.office_codes)
        + geo.commune_types.tolist()
        + geo.hamlet_types.tolist()
    )
    return pa.table(
        {
            "unit_code": pa.array(codes, pa.string()),
            "unit_name": pa.array(names, pa.string()),
            "level": pa.array(levels, pa.string()),
            "parent_code": pa.array(parents, pa.string()),
            "unit_type": pa.array(types, pa.string()),
            "province_code": pa.array([pcode] * len(codes), pa.string()),
        }
    )


def old_code_weights(province: ProvinceInfo) -> tuple[np.ndarray, np.ndarray]:
    """Old province codes of ``province`` and the share of natives born in each."""
    codes = np.array(province.old_codes, dtype=np.int64)
    w = np.array([OLD_POPULATION[c] for c in province.old_codes], dtype=float)
    return codes, w / w.sum()


def migrant_origin_weights(province: ProvinceInfo) -> tuple[np.ndarray, np.ndarray]:
    """Old province codes migrants into ``province`` were born in, with weights."""
    codes = np.array(sorted(c for c in OLD_POPULATION if c not in province.old_codes))
    w = np.array([OLD_POPULATION[c] * MIGRANT_SOURCES.get(c, 1.0) for c in codes])
    return codes, w / w.sum()
