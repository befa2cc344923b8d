"""Employers, their true workforce and wages, and the evaders planted among them.

The compulsory workforce is calibrated to the seeds: at scale 1.0 in Đồng Nai, 1,174,298
people must participate and 1,115,590 do.  The difference is exactly the workers hidden by
evaders: employers declaring fewer workers than they employ, and enterprises that are in the
business registry (and file tax returns) but never registered with social insurance.
Another 3 % of employers declare lower wages than they pay (often exactly the regional
minimum wage).  Firm sizes are long-tailed: a few FDI factories employ thousands.

Employment spells (current jobs, earlier jobs of people who changed employer, jobs that
ended this year or last) carry month-level start and end, the true wage and the declared
contribution wage; the ledger, the tax returns and the enrolments are all derived from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from baophu.synth import names
from baophu.synth.careers import RAMP_MONTHS, Careers, Jobs, firm_paths
from baophu.synth.context import Context
from baophu.synth.dates import month_start
from baophu.synth.field import Field
from baophu.synth.geography import Geography
from baophu.synth.people import People
from baophu.synth.rates import MonthlyRules, monthly_rules, retirement_month
from baophu.synth.strings import digits, join, masked, take

REQUIRED_WORKERS = 1_174_298  # seeds: compulsory BHXH, people required (Đồng Nai 2026)
COMPULSORY_PARTICIPANTS = 1_115_590
BHTN_REQUIRED = 1_133_560
BHTN_PARTICIPANTS = 1_077_108
EMPLOYERS = 35_000
OWNERSHIP = ("fdi", "private", "state", "household_business", "cooperative")
FDI, PRIVATE, STATE, HOUSEHOLD_BUSINESS, COOPERATIVE = range(5)
OWNERSHIP_P = np.array([0.04, 0.68, 0.025, 0.20, 0.055])
SIZE_MEDIAN = np.array([180.0, 12.0, 40.0, 3.0, 8.0])
SIZE_SIGMA = np.array([1.3, 1.1, 0.9, 0.6, 0.8])
WAGE_LEVEL = np.array([1.7, 1.35, 1.9, 1.1, 1.15])  # median wage ÷ regional minimum wage
HEADCOUNT_EVADER_SHARE = 0.03
WAGE_EVADER_SHARE = 0.03
UNREGISTERED_SHARE = 0.02  # of the business registry
REGISTRY_OTHER_SHARE = 0.12  # dissolved, suspended, or without employees
OUT_OF_PROVINCE_SHARE = 0.03  # residents working for employers of another province
TENURE_MONTHS = 42.0  # mean time in the current job
FIRM_GROWTH = 0.035  # yearly growth of an established employer's workforce
NEW_WORKFORCE_SHARE = 0.03  # of the workforce: at employers registered in the last 24 months
YOUNG_UNREGISTERED_SHARE = 0.1  # of unregistered workers: at enterprises under 16 months old
EVASION = ("none", "under_declared_headcount", "under_declared_wage", "unregistered")
NONE, HEADCOUNT, WAGE, UNREGISTERED = range(4)
SPELL_KINDS = ("current", "previous", "lapsed")
CURRENT, PREVIOUS, LAPSED = range(3)

_STEMS = (
    "Phú Thịnh",
    "Hưng Phát",
    "Tân Long",
    "Minh Anh",
    "An Phát",
    "Thành Đạt",
    "Việt Tiến",
    "Hoàng Gia",
    "Bảo Ngọc",
    "Nam Việt",
    "Tiến Thành",
    "Quang Minh",
    "Đức Thịnh",
    "Thái Bình",
    "Kim Long",
    "Ngọc Mai",
    "Sao Việt",
    "Đông Á",
    "Phương Nam",
    "Thiên Phú",
    "Hòa Bình",
    "Trường Sơn",
    "Gia Huy",
    "Long Thành",
    "Đại Phát",
    "Hải Đăng",
    "Trung Tín",
    "Vạn Lộc",
    "Phúc Hưng",
    "Đồng Tiến",
    "Hợp Nhất",
    "Tân Phú",
    "An Khang",
    "Mekong",
    "Sài Gòn",
    "Toàn Cầu",
    "Nhật Minh",
    "Hữu Nghị",
    "Thuận Phát",
    "Lộc Phát",
)
_SECTORS = (
    "Xây dựng",
    "Thương mại Dịch vụ",
    "Sản xuất",
    "Vận tải",
    "Cơ khí",
    "May mặc",
    "Thực phẩm",
    "Chế biến Gỗ",
    "Nông sản",
    "Điện tử",
    "Bao bì",
    "Nhựa",
    "Môi trường",
    "Công nghệ",
    "Dược phẩm",
    "Vật liệu Xây dựng",
    "Logistics",
    "Du lịch",
)
_FOREIGN = (
    "Hanwoo",
    "Daeyang",
    "Shinsung",
    "Kyoto Seiki",
    "Taiyang",
    "Everwin",
    "Pacific",
    "Asia Star",
    "Global Tex",
    "Sunrise",
    "Yung Feng",
    "Hua Sheng",
    "Sejin",
    "Nippon Kiko",
    "Orient",
    "Hwa Seong",
    "Tokai",
    "Grand Ocean",
    "Jin Yuan",
    "Meiko",
)
_FDI_KIND = (
    "Textile",
    "Electronics",
    "Precision",
    "Footwear",
    "Garment",
    "Steel",
    "Plastic",
    "Vina",
    "Furniture",
    "Packaging",
)
_STATE = (
    "Công ty TNHH MTV Cấp nước",
    "Công ty TNHH MTV Xổ số kiến thiết",
    "Công ty TNHH MTV Lâm nghiệp",
    "Công ty Cổ phần Công trình Đô thị",
    "Trung tâm Y tế khu vực",
    "Bệnh viện Đa khoa khu vực",
    "Ban Quản lý dự án",
)
_COOP = (
    "Hợp tác xã Nông nghiệp",
    "Hợp tác xã Dịch vụ Nông nghiệp",
    "Hợp tác xã Vận tải",
    "Hợp tác xã Thủy sản",
    "Hợp tác xã Môi trường",
)


@dataclass
class Firms:
    """Registered employers (first ``n_registered``) followed by unregistered enterprises."""

    n_registered: int
    ownership: np.ndarray
    size: np.ndarray  # true headcount at as_of
    commune: np.ndarray
    region: np.ndarray
    officer: np.ndarray
    registered_month: np.ndarray  # SI registration (or business registration) month
    registered_date: np.ndarray  # datetime64[D]
    business_date: np.ndarray  # datetime64[D], business-registry date
    wage_level: np.ndarray
    evasion: np.ndarray
    hidden: np.ndarray  # workers not declared at as_of
    registry_size: int  # enterprises in the business registry
    wage_bunched: np.ndarray  # bool: wage evader declaring the regional minimum
    wage_factor: np.ndarray  # declared ÷ true for the other wage evaders
    employer_code: pa.StringArray  # registered employers only
    tax_code: pa.Array  # all firms; null for some household businesses
    has_tax_code: np.ndarray
    name: pa.Array
    address: pa.Array

    @property
    def n(self) -> int:
        return len(self.ownership)


@dataclass
class Spells:
    """Employment spells (true), with what was declared to social insurance."""

    person: np.ndarray
    firm: np.ndarray  # index into Firms, -1 for an employer of another province
    other_province: np.ndarray  # new code of that province (0 when in this province)
    kind: np.ndarray  # CURRENT / PREVIOUS / LAPSED
    start: np.ndarray  # datetime64[M]
    end: np.ndarray  # datetime64[M], NaT while open
    declared: np.ndarray  # bool
    bhtn: np.ndarray  # bool: BHTN applies
    wage: np.ndarray  # true monthly wage at as_of (or at the end of the spell)
    # declared and hidden jobs in the province at each simulated month-end (the path)
    declared_path: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    hidden_path: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    wage_growth: float = 0.004  # monthly nominal growth used to go back in time

    @property
    def n(self) -> int:
        return len(self.person)


def _top_k(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """k indices drawn without replacement with probability ∝ weights (Efraimidis–Spirakis)."""
    k = int(min(k, int((weights > 0).sum())))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    keys = np.full(len(weights), -np.inf)
    pos = weights > 0
    keys[pos] = np.log(rng.random(int(pos.sum()))) / weights[pos]
    part = np.argpartition(-keys, k - 1)[:k]
    return np.sort(part)


def _integer_split(total: int, weights: np.ndarray, floor: int = 1) -> np.ndarray:
    """Integers ≥ floor summing to ``total``, proportional to ``weights`` (largest remainder)."""
    n = len(weights)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    total = max(total, floor * n)
    spare = total - floor * n
    raw = weights / weights.sum() * spare
    base = np.floor(raw).astype(np.int64)
    rest = spare - int(base.sum())
    if rest > 0:
        base[np.argsort(-(raw - base), kind="stable")[:rest]] += 1
    return base + floor


def tax_codes(rng: np.random.Generator, prefix: str, n: int) -> np.ndarray:
    """Unique valid 10-digit tax codes (checksum digit per the enterprise-code rule)."""
    weights = np.array([31, 29, 23, 19, 17, 13, 7, 5, 3])
    head = int(prefix) * 10**7
    draw = rng.integers(0, 10**7, int(n * 1.6) + 50)
    _, first = np.unique(draw, return_index=True)
    nine = head + draw[np.sort(first)]
    d = (nine[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    check = 10 - (d @ weights) % 11
    ok = check < 10
    codes = nine[ok][:n] * 10 + check[ok][:n]
    if len(codes) < n:
        raise ValueError("not enough tax codes")
    return codes


def build_firms(ctx: Context, geo: Geography, fld: Field) -> Firms:
    """Registered employers and unregistered enterprises, with sizes summing to the workforce."""
    rng = ctx.rng("employers")
    n_reg = max(8, ctx.scaled(EMPLOYERS))
    required = ctx.scaled(REQUIRED_WORKERS)
    participants = ctx.scaled(COMPULSORY_PARTICIPANTS)
    hidden_total = required - participants

    own = rng.choice(len(OWNERSHIP), size=n_reg, p=OWNERSHIP_P)
    n_enterprises = int((own != HOUSEHOLD_BUSINESS).sum())
    registry = round(n_enterprises / (1 - UNREGISTERED_SHARE - REGISTRY_OTHER_SHARE))
    # every enterprise has a tax code; most household businesses have one too
    has_tax_reg = (own != HOUSEHOLD_BUSINESS) | (rng.random(n_reg) < 0.7)
    n_unreg = max(1, round(UNREGISTERED_SHARE * registry))
    unreg_w = rng.lognormal(np.log(25), 0.8, n_unreg)
    # firms registered in the last two years are fewer and smaller than established ones
    raw = rng.lognormal(np.log(SIZE_MEDIAN[own]), SIZE_SIGMA[own])

    # headcount evaders: private enterprises and cooperatives (they file tax returns), larger
    # ones likelier; each hides 25–65 % of its workers.  The rest of the hidden workforce
    # works for the unregistered enterprises.
    n_head = max(1, round(HEADCOUNT_EVADER_SHARE * n_reg))
    eligible = np.isin(own, (PRIVATE, COOPERATIVE))
    chosen = _top_k(rng, np.where(eligible, raw, 0.0), n_head)
    share = rng.uniform(0.25, 0.65, len(chosen))
    unreg_total = max(n_unreg, min(hidden_total // 2, int(unreg_w.sum())))
    for _ in range(3):  # settle how many work for unregistered enterprises
        size = _integer_split(required - unreg_total, raw, floor=1)
        room = int(np.maximum(size[chosen] - 1, 0).sum())
        planned = int((size[chosen] * share).sum())
        if hidden_total - unreg_total <= min(planned, room):
            break
        unreg_total = max(n_unreg, hidden_total - min(planned, room))
    size = _integer_split(required - unreg_total, raw, floor=1)
    unreg_size = _integer_split(unreg_total, unreg_w, floor=1)
    to_hide = hidden_total - unreg_total
    evasion = np.zeros(n_reg + n_unreg, dtype=np.int64)
    hidden = np.zeros(n_reg + n_unreg, dtype=np.int64)
    want = size[chosen] * share
    hid = _integer_split(to_hide, want, floor=0) if to_hide > 0 else np.zeros(len(chosen), int)
    hid = np.minimum(hid, np.maximum(size[chosen] - 1, 0))
    short = to_hide - int(hid.sum())
    while short > 0:  # top up where there is room
        room_left = size[chosen] - 1 - hid
        j = int(np.argmax(room_left))
        add = min(short, int(room_left[j]))
        if add <= 0:
            raise ValueError("cannot hide enough workers; scale too small")
        hid[j] += add
        short -= add
    evasion[chosen] = HEADCOUNT
    hidden[chosen] = hid

    # wage evaders among the other enterprises (not state), wages clearly above the minimum
    n_wage = max(1, round(WAGE_EVADER_SHARE * n_reg))
    w_weights = np.where(
        (evasion[:n_reg] == NONE) & np.isin(own, (FDI, PRIVATE, COOPERATIVE)) & (size >= 2),
        1.0,
        0.0,
    )
    wage_ev = _top_k(rng, w_weights, n_wage)
    evasion[wage_ev] = WAGE
    evasion[n_reg:] = UNREGISTERED
    hidden[n_reg:] = unreg_size

    all_own = np.concatenate([own, rng.choice([PRIVATE, PRIVATE, PRIVATE, COOPERATIVE], n_unreg)])
    all_size = np.concatenate([size, unreg_size])
    n_all = n_reg + n_unreg
    c_w = geo.commune_share * np.where(geo.commune_is_urban, 1.6, 1.0)
    commune = rng.choice(geo.n_communes, size=n_all, p=c_w / c_w.sum())
    region = geo.commune_region[commune]
    level = WAGE_LEVEL[all_own] * rng.lognormal(0, 0.22, n_all)
    level[evasion == WAGE] = np.maximum(level[evasion == WAGE], 1.6)
    bunched = (evasion == WAGE) & (rng.random(n_all) < 0.6)
    factor = np.where(evasion == WAGE, rng.uniform(0.45, 0.7, n_all), 1.0)

    # officers of the commune's office
    office = geo.commune_office[commune]
    officer = np.empty(n_all, dtype=np.int64)
    for o in range(len(geo.office_codes)):
        sel = np.flatnonzero(office == o)
        pool = fld.officers_of_office(o)
        officer[sel] = pool[rng.integers(0, len(pool), len(sel))]

    # registration dates (months back from as_of): established employers before the
    # simulated history (they only grow in it), new ones within the last two years
    history = int((ctx.as_of_month - ctx.history_start).astype(np.int64)) + 1 + RAMP_MONTHS
    back = history + np.where(
        np.isin(all_own, (FDI, STATE)), rng.exponential(120, n_all), rng.exponential(72, n_all)
    )
    # employers registered in the last two years: small ones mostly, holding together about
    # NEW_WORKFORCE_SHARE of the declared workforce (they grow into it: careers.firm_paths)
    key = rng.random(n_reg) * size
    order = np.argsort(key, kind="stable")
    new_firm = np.zeros(n_reg, dtype=bool)
    new_firm[order[np.cumsum(size[order]) <= NEW_WORKFORCE_SHARE * size.sum()]] = True
    new = np.concatenate([new_firm, np.zeros(n_unreg, dtype=bool)])
    back = np.where(new, rng.uniform(2, 24, n_all), back)
    # unregistered enterprises: in business for years, a few small ones for months (no tax
    # return yet), at most YOUNG_UNREGISTERED_SHARE of their workers
    by_size = np.argsort(unreg_size, kind="stable")
    small = np.cumsum(unreg_size[by_size]) <= YOUNG_UNREGISTERED_SHARE * unreg_size.sum()
    young = np.zeros(n_unreg, dtype=bool)
    young[by_size[small]] = rng.random(int(small.sum())) < 0.5
    back[n_reg:] = np.where(
        young, rng.uniform(4, 16, n_unreg), history + rng.uniform(0, 60, n_unreg)
    )
    back = np.minimum(back, 420).astype(np.int64)
    reg_month = ctx.as_of_month - back.astype("timedelta64[M]")
    day = rng.integers(0, 27, n_all).astype("timedelta64[D]")
    registered_date = month_start(reg_month) + day
    business_date = registered_date - rng.integers(15, 200, n_all).astype("timedelta64[D]")

    employer_code = digits(np.arange(1, n_reg + 1), 6, prefix=f"DV{ctx.province.code2}")
    tc = tax_codes(rng, ctx.province.tax_prefix, n_all)
    has_tax = np.concatenate([has_tax_reg, np.ones(n_unreg, dtype=bool)])
    tax_code = masked(digits(tc, 10), ~has_tax)
    name = firm_names(rng, all_own, commune, geo)
    address = firm_addresses(rng, geo, commune, ctx.province.name)
    return Firms(
        n_registered=n_reg,
        ownership=all_own,
        size=all_size,
        commune=commune,
        region=region,
        officer=officer,
        registered_month=reg_month,
        registered_date=registered_date,
        business_date=business_date,
        wage_level=level,
        evasion=evasion,
        hidden=hidden,
        registry_size=registry,
        wage_bunched=bunched,
        wage_factor=factor,
        employer_code=employer_code,
        tax_code=tax_code,
        has_tax_code=has_tax,
        name=name,
        address=address,
    )


def firm_addresses(
    rng: np.random.Generator, geo: Geography, commune: np.ndarray, province_name: str
) -> pa.Array:
    """A business address for each firm: ``Số <1..998>, <commune name>, <province>``."""
    addr_no = rng.integers(1, 999, len(commune))
    return join(
        "Số ",
        pa.array(addr_no).cast(pa.string()),
        ", ",
        take(geo.arrow("commune_names"), commune),
        ", ",
        province_name,
    )


def firm_names(
    rng: np.random.Generator, own: np.ndarray, commune: np.ndarray, geo: Geography
) -> pa.Array:
    n = len(own)
    stems = take(list(_STEMS), rng.integers(0, len(_STEMS), n))
    sectors = take(list(_SECTORS), rng.integers(0, len(_SECTORS), n))
    legal = take(
        ["Công ty TNHH ", "Công ty Cổ phần ", "Doanh nghiệp tư nhân "],
        rng.choice(3, n, p=[0.6, 0.3, 0.1]),
    )
    private = join(legal, sectors, " ", stems)
    fdi = join(
        "Công ty TNHH ",
        take(list(_FOREIGN), rng.integers(0, len(_FOREIGN), n)),
        " ",
        take(list(_FDI_KIND), rng.integers(0, len(_FDI_KIND), n)),
        " Việt Nam",
    )
    stems_c = pa.array([geo.commune_stem(i) for i in range(geo.n_communes)], pa.string())
    commune_stem = take(stems_c, commune)
    state = join(take(list(_STATE), rng.integers(0, len(_STATE), n)), " ", commune_stem)
    coop = join(take(list(_COOP), rng.integers(0, len(_COOP), n)), " ", commune_stem)
    eth = np.zeros(n, dtype=np.int8)
    sur = names.draw_surnames(rng, eth)
    female = rng.random(n) < 0.45
    mid, giv = names.draw_middle_and_given(rng, female, rng.integers(1960, 2000, n))
    household = join("Hộ kinh doanh ", names.render(sur, mid, giv))
    options = pa.concat_arrays([fdi, private, state, household, coop])
    return options.take(pa.array(own * n + np.arange(n)))


def _working_age_weight(people: People, as_of_month: np.datetime64) -> np.ndarray:
    """How likely each living resident works: by age, zero under 18 and past the month the
    statutory retirement age is reached (``rates.retirement_month``)."""
    age = people.age
    w = np.interp(age, [17, 18, 22, 30, 40, 50, 55, 62], [0, 0.4, 1.0, 1.0, 0.8, 0.5, 0.3, 0.1])
    before_retirement = retirement_month(people.birth, people.female) >= as_of_month
    return np.where((age >= 18) & before_retirement & people.living, w, 0.0)


def build_spells(ctx: Context, people: People, firms: Firms) -> Spells:
    """Assign people to the firms' jobs, then draw the jobs left before (``careers``) so that
    the declared and the hidden workforce follow the path back to ``history_start``."""
    rng = ctx.rng("workforce")
    required = int(firms.size.sum())

    # who works: commuters (non-residents) and residents of working age
    commuters = np.flatnonzero(people.commuter)
    n_res_workers = required - len(commuters)
    w = _working_age_weight(people, ctx.as_of_month)
    n_out = round(OUT_OF_PROVINCE_SHARE * required)
    picked = _top_k(rng, w, n_res_workers + n_out)
    picked = rng.permutation(picked)
    res_workers, out_workers = picked[:n_res_workers], picked[n_res_workers:]
    workers = rng.permutation(np.concatenate([res_workers, commuters]))
    if len(workers) < required:
        raise ValueError("population too small for the workforce")

    # jobs: one slot per true worker; hidden slots are the first `hidden` of each firm
    slot_firm = np.repeat(np.arange(firms.n), firms.size)
    slot_rank = np.arange(len(slot_firm)) - np.repeat(
        np.cumsum(firms.size) - firms.size, firms.size
    )
    declared = slot_rank >= firms.hidden[slot_firm]
    person = workers[:required]

    # BHTN: exactly the seeds' required and participating counts (state workers exempt more)
    bhtn_req = ctx.scaled(BHTN_REQUIRED)
    bhtn_part = ctx.scaled(BHTN_PARTICIPANTS)
    exempt_w = np.where(firms.ownership[slot_firm] == STATE, 8.0, 1.0)
    bhtn = np.zeros(required, dtype=bool)
    dec_idx = np.flatnonzero(declared)
    hid_idx = np.flatnonzero(~declared)
    bhtn[dec_idx[_top_k(rng, 1.0 / exempt_w[dec_idx], min(bhtn_part, len(dec_idx)))]] = True
    k_hidden = min(max(0, bhtn_req - bhtn_part), len(hid_idx))
    bhtn[hid_idx[_top_k(rng, 1.0 / exempt_w[hid_idx], k_hidden)]] = True

    # start months: tenure, not before the firm registered, the 18th birthday or moving in
    as_m = ctx.as_of_month
    tenure = np.floor(rng.exponential(TENURE_MONTHS, required)).astype(np.int64)
    start = as_m - tenure.astype("timedelta64[M]")
    adult = people.birth[person].astype("datetime64[M]") + np.timedelta64(12 * 18, "M")
    moved_in = people.resident_from[person].astype("datetime64[M]")
    moved_in = np.where(np.isnat(moved_in), adult, moved_in)
    start = np.maximum(np.maximum(start, firms.registered_month[slot_firm]), adult)
    start = np.minimum(np.maximum(start, moved_in), as_m)

    wage = _draw_wages(rng, firms, slot_firm, ctx)

    # residents working for employers of other provinces (declared there)
    elsewhere = np.array(ctx.province.work_elsewhere, dtype=np.int64)
    out_start = as_m - np.floor(rng.exponential(48, len(out_workers))).astype("timedelta64[M]")
    out_start = np.maximum(
        out_start, people.birth[out_workers].astype("datetime64[M]") + np.timedelta64(12 * 18, "M")
    )
    out_start = np.minimum(out_start, as_m)
    region_1 = monthly_rules(as_m, as_m).min_wage[0, 1]
    out_wage = np.round(region_1 * rng.lognormal(np.log(1.5), 0.3, len(out_workers)), -4)

    # the jobs left before: declared and hidden workforce on the path, month by month
    first = ctx.history_start
    busy_from = np.full(people.n, 10**6, dtype=np.int64)
    busy_from[person] = (start - first).astype(np.int64)
    busy_from[out_workers] = (out_start - first).astype(np.int64)
    months = ctx.history_months
    careers = Careers(ctx, people, busy_from)
    jobs = Jobs.of(
        person,
        slot_firm,
        (start - first).astype(np.int64),
        declared,
    )
    registered = (firms.registered_month - first).astype(np.int64)
    n_months = len(months)
    declared_now = np.bincount(slot_firm[declared], minlength=firms.n)
    hidden_now = np.bincount(slot_firm[~declared], minlength=firms.n)
    declared_path = firm_paths(declared_now, registered, n_months, FIRM_GROWTH)
    hidden_path = firm_paths(hidden_now, registered, n_months, FIRM_GROWTH)
    careers.fill(jobs, declared_path, True, registered)
    careers.fill(jobs, hidden_path, False, registered)
    past = slice(required, jobs.n)
    n_past = jobs.n - required
    past_firm = jobs.firm[past]
    past_start = first + jobs.start[past].astype("timedelta64[M]")
    past_end = first + jobs.end[past].astype("timedelta64[M]")
    cur_start = first + jobs.start[:required].astype("timedelta64[M]")
    p_bhtn = bhtn[declared].mean() if declared.any() else 0.95
    past_bhtn = jobs.declared[past] & (rng.random(n_past) < p_bhtn)
    past_wage = _draw_wages(rng, firms, past_firm, ctx)

    nat = np.full(required + len(out_workers), np.datetime64("NaT"), dtype="datetime64[M]")
    return Spells(
        person=np.concatenate([person, out_workers, jobs.person[past]]),
        firm=np.concatenate([slot_firm, np.full(len(out_workers), -1), past_firm]),
        other_province=np.concatenate(
            [
                np.zeros(required, np.int64),
                rng.choice(elsewhere, len(out_workers)),
                np.zeros(n_past, np.int64),
            ]
        ),
        kind=np.concatenate(
            [np.full(required + len(out_workers), CURRENT), jobs.kind[past].astype(np.int64)]
        ),
        start=np.concatenate([cur_start, out_start, past_start]),
        end=np.concatenate([nat, past_end]),
        declared=np.concatenate([declared, np.ones(len(out_workers), bool), jobs.declared[past]]),
        bhtn=np.concatenate([bhtn, rng.random(len(out_workers)) < 0.95, past_bhtn]),
        wage=np.concatenate([wage, out_wage, past_wage]).astype(np.int64),
        declared_path=declared_path.sum(axis=0),
        hidden_path=hidden_path.sum(axis=0),
    )


def _registered_firm(rng: np.random.Generator, firms: Firms, n: int) -> np.ndarray:
    w = firms.size[: firms.n_registered].astype(float)
    return rng.choice(firms.n_registered, size=n, p=w / w.sum())


def _draw_wages(
    rng: np.random.Generator, firms: Firms, firm: np.ndarray, ctx: Context
) -> np.ndarray:
    """True monthly wages at as_of: firm level × individual spread, at least the minimum."""
    mr = monthly_rules(ctx.as_of_month, ctx.as_of_month)
    minimum = mr.min_wage[0, firms.region[firm]]
    raw = minimum * firms.wage_level[firm] * rng.lognormal(0, 0.3, len(firm))
    return np.maximum(np.round(raw, -4), minimum).astype(np.int64)


@dataclass
class SpellWages:
    """Month-by-month true and declared wages of employment spells.

    True wages grow with time (nominal growth, going back from the spell's reference month,
    its end or as_of); the regional minimum of the month is a floor.  Wage evaders declare
    the minimum (bunched) or a fraction of the true wage, never below the minimum; declared
    wages are capped at the legal multiple of the reference level.
    """

    region: np.ndarray
    anchor: np.ndarray  # reference month of each spell, as months since 1970
    base: np.ndarray  # true wage in the reference month
    evader: np.ndarray
    bunched: np.ndarray
    factor: np.ndarray
    growth: float

    @classmethod
    def of(cls, spells: Spells, firms: Firms, as_of_month: np.datetime64) -> SpellWages:
        in_prov = spells.firm >= 0
        f = np.maximum(spells.firm, 0)
        ref = np.where(np.isnat(spells.end), as_of_month, spells.end)
        evader = in_prov & (np.take(firms.evasion, f) == WAGE)
        return cls(
            region=np.where(in_prov, np.take(firms.region, f), 1),
            anchor=ref.astype("datetime64[M]").astype(np.int64),
            base=spells.wage.astype(np.float64),
            evader=evader,
            bunched=evader & np.take(firms.wage_bunched, f),
            factor=np.where(evader, np.take(firms.wage_factor, f), 1.0),
            growth=spells.wage_growth,
        )

    def in_month(
        self, mr: MonthlyRules, i: int, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(true, declared-and-capped) wages in month ``i`` of ``mr`` (of ``rows``, or all)."""
        if rows is None:
            rows = np.arange(len(self.base))
        return self.at(mr, np.full(len(rows), i), rows)

    def at(
        self, mr: MonthlyRules, month: np.ndarray, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(true, declared-and-capped) wages of ``rows``, each in its own month ``month``
        (indices of ``mr``)."""
        minimum = mr.min_wage[month, np.take(self.region, rows)]
        since = mr.months[month].astype(np.int64) - np.take(self.anchor, rows)
        growth = np.exp(since * np.log1p(self.growth))
        true = np.maximum(np.round(np.take(self.base, rows) * growth, -3), minimum)
        declared = np.maximum(np.round(true * np.take(self.factor, rows), -3), minimum)
        declared = np.where(np.take(self.bunched, rows), minimum, declared)
        cap = mr.cap_multiple[month] * mr.reference_level[month]
        return true.astype(np.int64), np.minimum(declared, cap).astype(np.int64)


def employers_table(firms: Firms, geo: Geography, fld: Field) -> pa.Table:
    """The ``employers`` contract (registered employers only)."""
    n = firms.n_registered
    rows = pa.array(np.arange(n))
    return pa.table(
        {
            "employer_code": firms.employer_code,
            "tax_code": firms.tax_code.take(rows),
            "employer_name": firms.name.take(rows),
            "ownership": take(list(OWNERSHIP), firms.ownership[:n]),
            "commune_code": take(geo.arrow("commune_codes"), firms.commune[:n]),
            "officer_code": take(list(fld.officer_codes), firms.officer[:n]),
            "wage_region": pa.array(firms.region[:n].astype(np.int64)),
            "registered_date": pa.array(firms.registered_date[:n], type=pa.date32()),
            "address": firms.address.take(rows),
        }
    )
