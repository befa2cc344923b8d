"""Schools, pupils and the rosters schools send (name, ID, sex, birth date) by 10 September.

Children attend kindergarten from 3, primary from 6 (the calendar year they turn 6), lower
and upper secondary after that; some young adults study at the province's colleges and
university, others in another province.  Rosters are typed by hand: IDs go missing or get a
digit wrong, names lose their diacritics or get a typo, and day and month of birth get
swapped.  The truth file links every roster row to the true person.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from baophu.synth import noise
from baophu.synth.context import Context
from baophu.synth.dates import year_of
from baophu.synth.geography import Geography
from baophu.synth.people import People
from baophu.synth.strings import int_strings, join, take

LEVELS = ("MN", "TH", "CS", "PT", "DH")
LEVEL_NAMES = ("Trường Mầm non", "Trường Tiểu học", "Trường THCS", "Trường THPT", "")
KINDERGARTEN, PRIMARY, LOWER, UPPER, HIGHER = range(5)
# attendance by grade (kindergarten -2..0, school 1..12, higher education 13..16)
ATTENDANCE = {
    -2: 0.85,
    -1: 0.92,
    0: 0.97,
    **dict.fromkeys(range(1, 6), 0.995),
    **dict.fromkeys(range(6, 10), 0.97),
    **dict.fromkeys(range(10, 13), 0.8),
    **dict.fromkeys(range(13, 17), 0.12),
}
STUDY_ELSEWHERE = 0.15  # of 18–21-year-olds: students in another province
CAPACITY = (250, 700, 900, 1200, 3000)
CLASS_SIZE = (30, 35, 40, 42, 50)
KINDERGARTEN_NAMES = (
    "Hoa Sen",
    "Họa Mi",
    "Sơn Ca",
    "Hướng Dương",
    "Vàng Anh",
    "Hoa Mai",
    "Bình Minh",
    "Tuổi Thơ",
    "Hoa Hồng",
    "Ánh Dương",
)
SCHOOL_NAMES = (
    "Nguyễn Du",
    "Lê Quý Đôn",
    "Trần Phú",
    "Lê Lợi",
    "Nguyễn Trãi",
    "Quang Trung",
    "Hùng Vương",
    "Chu Văn An",
    "Lý Thường Kiệt",
    "Võ Thị Sáu",
    "Kim Đồng",
    "Nguyễn Bỉnh Khiêm",
    "Trần Hưng Đạo",
    "Lương Thế Vinh",
    "Ngô Quyền",
    "Phan Bội Châu",
    "Nguyễn Huệ",
    "Lê Hồng Phong",
    "Tô Hiến Thành",
    "Đinh Tiên Hoàng",
)
ROSTER_NOISE = {
    "id_missing": 0.05,
    "id_mistyped": 0.03,
    "no_diacritics": 0.10,
    "typo": 0.02,
    "day_month_swapped": 0.02,
}


@dataclass
class Schools:
    """Schools, the pupils attending them, and residents studying in other provinces."""

    code: list[str]
    name: list[str]
    commune: np.ndarray
    level: np.ndarray
    pupil: np.ndarray  # person index per pupil
    school: np.ndarray  # school index per pupil
    grade: np.ndarray
    class_name: pa.Array
    away_student: np.ndarray  # persons studying in another province
    away_province: np.ndarray  # new province code where they study
    school_year: str
    card_year: int  # calendar year in which the BHYT card covering as_of began (1 October)


def run_numbers(key: np.ndarray) -> np.ndarray:
    """1-based position of each row within its run of equal consecutive keys."""
    n = len(key)
    idx = np.arange(n)
    change = np.ones(n, dtype=bool)
    change[1:] = key[1:] != key[:-1]
    return idx - np.maximum.accumulate(np.where(change, idx, 0)) + 1


def _level(grade: np.ndarray) -> np.ndarray:
    return np.select([grade <= 0, grade <= 5, grade <= 9, grade <= 12], [0, 1, 2, 3], 4)


def build_schools(ctx: Context, geo: Geography, people: People) -> Schools:
    """Who attends which school and class in the current school year."""
    rng = ctx.rng("schools")
    sy = ctx.school_year_start
    grade: np.ndarray = sy - year_of(people.birth) - 5
    pupil_ok = people.alive & np.isnat(people.moved_out) & (people.resident | ~people.commuter)
    p = np.zeros(people.n)
    for level_grade, share in ATTENDANCE.items():
        p[grade == level_grade] = share
    p[~people.resident] = np.where(
        (grade[~people.resident] >= 1) & (grade[~people.resident] <= 12), 1.0, 0.0
    )
    attends = pupil_ok & (rng.random(people.n) < p)
    university_age = (grade >= 13) & (grade <= 16) & people.living & ~attends
    away = university_age & (rng.random(people.n) < STUDY_ELSEWHERE)
    pupil = np.flatnonzero(attends)
    g = grade[pupil]
    lvl = _level(g)

    commune = people.commune[pupil].copy()
    no_home = commune < 0
    commune[no_home] = rng.choice(geo.n_communes, int(no_home.sum()), p=geo.commune_share)
    # a fifth of upper-secondary pupils attend a school in a neighbouring commune
    move = (lvl == UPPER) & (rng.random(len(pupil)) < 0.2)
    shift = np.where(rng.random(len(pupil)) < 0.5, -1, 1)
    commune[move] = np.clip(commune[move] + shift[move], 0, geo.n_communes - 1)
    # higher education happens in the largest communes
    big = np.argsort(-geo.commune_share, kind="stable")[:3]
    higher = lvl == HIGHER
    commune[higher] = big[rng.integers(0, len(big), int(higher.sum()))]

    codes: list[str] = []
    names: list[str] = []
    s_commune: list[int] = []
    s_level: list[int] = []
    school = np.empty(len(pupil), dtype=np.int64)
    key = commune * 5 + lvl
    order = np.argsort(key, kind="stable")
    bounds = np.flatnonzero(np.diff(key[order])) + 1
    uni_names = [
        f"Trường Đại học {ctx.province.short_name}",
        f"Trường Cao đẳng Kỹ thuật {ctx.province.short_name}",
        f"Trường Cao đẳng Y tế {ctx.province.short_name}",
    ]
    for chunk in np.split(order, bounds):
        if not len(chunk):
            continue
        c, lv = int(commune[chunk[0]]), int(lvl[chunk[0]])
        k = max(1, int(np.ceil(len(chunk) / CAPACITY[lv])))
        if lv == HIGHER:
            k = min(k, 1)
        base = len(codes)
        for i in range(k):
            codes.append(f"{geo.commune_codes[c]}{LEVELS[lv]}{i + 1:02d}")
            if lv == HIGHER:
                names.append(uni_names[int(np.flatnonzero(big == c)[0]) % len(uni_names)])
            elif lv == KINDERGARTEN:
                names.append(f"{LEVEL_NAMES[lv]} {KINDERGARTEN_NAMES[(c + i) % 10]}")
            elif i == 0:
                names.append(f"{LEVEL_NAMES[lv]} {geo.commune_stem(c)}")
            else:
                names.append(f"{LEVEL_NAMES[lv]} {SCHOOL_NAMES[(c * 3 + i) % 20]}")
            s_commune.append(c)
            s_level.append(lv)
        school[chunk] = base + rng.integers(0, k, len(chunk))

    # classes within (school, grade)
    sg = school * 32 + (g + 4)
    shuffled = rng.permutation(len(pupil))
    order = shuffled[np.argsort(sg[shuffled], kind="stable")]
    sorted_sg = sg[order]
    start = np.searchsorted(sorted_sg, sorted_sg, side="left")
    end = np.searchsorted(sorted_sg, sorted_sg, side="right")
    size = np.array(CLASS_SIZE)[lvl[order]]
    n_classes = np.maximum(1, np.ceil((end - start) / size)).astype(np.int64)
    class_no = np.empty(len(pupil), dtype=np.int64)
    class_no[order] = (np.arange(len(pupil)) - start) % n_classes + 1
    class_name = _class_names(g, class_no, sy)

    away_idx = np.flatnonzero(away)
    elsewhere = np.array(ctx.province.work_elsewhere, dtype=np.int64)
    card_year = ctx.as_of.year if ctx.as_of.month >= 10 else ctx.as_of.year - 1
    return Schools(
        code=codes,
        name=names,
        commune=np.array(s_commune, dtype=np.int64),
        level=np.array(s_level, dtype=np.int64),
        pupil=pupil,
        school=school,
        grade=g,
        class_name=class_name,
        away_student=away_idx,
        away_province=rng.choice(elsewhere, len(away_idx)),
        school_year=f"{sy}-{sy + 1}",
        card_year=card_year,
    )


def _class_names(grade: np.ndarray, class_no: np.ndarray, sy: int) -> pa.Array:
    no = int_strings(class_no)
    kg = take(["Mầm ", "Chồi ", "Lá "], np.clip(grade + 2, 0, 2))
    school = join(int_strings(np.clip(grade, 1, 12)), "A", no)
    entry = sy - (grade - 13)
    uni = join("K", int_strings(entry % 100), "-", no)
    options = pa.concat_arrays([join(kg, no), school, uni])
    kind = np.select([grade <= 0, grade <= 12], [0, 1], 2)
    n = len(grade)
    return options.take(pa.array(kind * n + np.arange(n)))


@dataclass
class Rosters:
    """Roster rows (canonical values, noisy), their commune, and the truth of each row."""

    table: pa.Table
    commune: np.ndarray
    person: np.ndarray
    id_noise: np.ndarray
    name_noise: np.ndarray
    birth_noise: np.ndarray


def build_rosters(ctx: Context, geo: Geography, people: People, sch: Schools) -> Rosters:
    """The rosters schools send, rows numbered within class in given-name order."""
    rng = ctx.rng("rosters")
    person = sch.pupil
    n = len(person)
    class_key = sch.class_name.dictionary_encode().indices.to_numpy(zero_copy_only=False)
    order = np.lexsort(
        (
            people.middle[person],
            people.surname[person],
            people.given[person],
            class_key,
            sch.grade,
            sch.school,
        )
    )
    person = person[order]
    school = sch.school[order]
    class_name = sch.class_name.take(pa.array(order))
    grp = sch.school[order] * 100_000 + class_key[order]
    row_no = run_numbers(grp)

    id_codes = noise.draw_codes(
        rng,
        n,
        {
            noise.ID_MISSING: ROSTER_NOISE["id_missing"],
            noise.ID_MISTYPED: ROSTER_NOISE["id_mistyped"],
        },
    )
    name_codes = noise.draw_codes(
        rng, n, {1: ROSTER_NOISE["no_diacritics"], 2: ROSTER_NOISE["typo"]}
    )
    birth, swapped = noise.swap_day_month(
        rng, people.birth[person], ROSTER_NOISE["day_month_swapped"]
    )
    ids = noise.apply_id_noise(rng, people.ids(person), id_codes)
    s_codes = pa.array(sch.code, pa.string())
    s_names = pa.array(sch.name, pa.string())
    table = pa.table(
        {
            "school_year": pa.array([sch.school_year] * n, pa.string()),
            "school_code": s_codes.take(pa.array(school)),
            "school_name": s_names.take(pa.array(school)),
            "commune_code": take(geo.arrow("commune_codes"), sch.commune[school]),
            "class_name": class_name,
            "row_no": pa.array(row_no.astype(np.int64)),
            "full_name": people.full_names(name_codes, rows=person),
            "person_id": ids,
            "sex": take(pa.array(["male", "female"]), people.female[person].astype(np.int64)),
            "birth_date": pa.array(birth, type=pa.date32()),
        }
    )
    return Rosters(
        table=table,
        commune=sch.commune[school],
        person=person,
        id_noise=id_codes,
        name_noise=name_codes,
        birth_noise=swapped.astype(np.int8),
    )
