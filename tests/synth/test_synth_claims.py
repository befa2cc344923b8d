"""The synthetic claims measured on the files written: calibration against the national
figures of DOMAIN.md, and the planted abuse found in the files exactly where the truth says.

Every figure is recomputed here with SQL over the output (DuckDB reading the Parquet and CSV
files), never through the generator's helpers.  A province other than the demo's.
"""

from __future__ import annotations

import base64
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from baophu.synth.generator import generate

pytestmark = pytest.mark.timeout(900)
AS_OF = date(2026, 10, 31)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synth_claims")
    generate("Gia Lai", 0.02, 5, path, as_of=AS_OF)
    return path


@pytest.fixture(scope="module")
def db(out: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    inputs, truth = out / "inputs", out / "truth"
    claims = f"{inputs}/claims/claims_*.parquet"
    con.execute(f"CREATE VIEW c AS SELECT * FROM read_parquet('{claims}')")
    con.execute(
        f"CREATE VIEW s AS SELECT * FROM read_parquet('{inputs}/claims/claim_services_*.parquet')"
    )
    con.execute(
        f"CREATE VIEW d AS SELECT * FROM read_parquet('{inputs}/claims/claim_drugs_*.parquet')"
    )
    con.execute(f"CREATE VIEW r AS SELECT * FROM read_parquet('{inputs}/residents.parquet')")
    con.execute(
        f"CREATE VIEW e AS SELECT * FROM read_parquet('{truth}/enrolments.parquet') "
        "WHERE scheme = 'bhyt'"
    )
    con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet('{truth}/claims_planted.parquet')")
    in_xml = sorted(xml_claims(out))
    con.execute("CREATE TABLE x (facility_code VARCHAR, claim_code VARCHAR)")
    if in_xml:
        con.executemany("INSERT INTO x VALUES (?, ?)", in_xml)
    con.execute(
        f'CREATE VIEW f AS SELECT "Mã cơ sở KCB"::VARCHAR AS code, "Tuyến" AS level, '
        f"\"Hình thức sở hữu\" AS ownership FROM read_csv('{inputs}/facilities.csv', all_varchar=true)"
    )
    return con


def one(db: duckdb.DuckDBPyConnection, sql: str) -> object:
    return db.execute(sql).fetchall()[0][0]


def xml_claims(out: Path) -> set[tuple[str, str]]:
    """(MA_CSKCB, MA_LK) of the claims written as XML (read here with a regular expression:
    the extracts hold every other claim)."""
    found = set()
    for path in (out / "inputs" / "claims_xml").glob("*.xml"):
        text = path.read_text("utf-8")
        for payload in re.findall(r"<LOAIHOSO>XML1</LOAIHOSO><NOIDUNGFILE>([^<]+)<", text):
            doc = base64.b64decode(payload).decode("utf-8")
            code = re.search(r"<MA_LK>([^<]*)</MA_LK>", doc)
            facility = re.search(r"<MA_CSKCB>([^<]*)</MA_CSKCB>", doc)
            assert code and facility
            found.add((facility.group(1), code.group(1)))
    return found


def planted(db: duckdb.DuckDBPyConnection, kind: str) -> set[tuple[str, str]]:
    """Planted claims of a kind that the extracts hold (those in XML files left out)."""
    rows = db.execute("SELECT facility_code, claim_code FROM t WHERE kind = ?", [kind]).fetchall()
    in_xml = db.execute("SELECT facility_code, claim_code FROM x").fetchall()
    return {(a, b) for a, b in rows} - set(in_xml)


def test_window_is_24_months_ending_with_the_reference_month(db) -> None:
    months = db.execute("SELECT DISTINCT NAM_QT * 100 + THANG_QT FROM c ORDER BY 1").fetchall()
    assert len(months) == 24
    assert (months[0][0], months[-1][0]) == (202411, 202610)


def test_visits_per_insured_person_year(db) -> None:
    insured = one(
        db,
        "SELECT count(DISTINCT e.true_person_id) FROM e JOIN r ON r.person_id = e.true_person_id "
        "WHERE start_date <= DATE '2025-10-15' AND (end_date IS NULL OR end_date >= DATE '2025-10-15') "
        "AND (r.death_date IS NULL OR r.death_date > DATE '2025-10-15')",
    )
    visits = one(
        db,
        "SELECT count(*) FROM c WHERE NGAY_VAO >= TIMESTAMP '2025-04-01' "
        "AND NGAY_VAO < TIMESTAMP '2026-04-01'",
    )
    assert 1.93 * 0.88 < visits / insured < 1.93 * 1.12  # national: 1.93 a year


def test_inpatient_share_and_average_stay(db) -> None:
    share = one(db, "SELECT avg((MA_LOAI_KCB IN ('03', '04', '09'))::INT) FROM c")
    assert 0.09 < share < 0.115  # national: 10.0–10.2 %
    stay = one(db, "SELECT avg(SO_NGAY_DTRI) FROM c WHERE MA_LOAI_KCB = '03'")
    assert 6.0 < stay < 7.0  # national: 6.47–6.54 days


def test_average_cost_per_visit_by_type_and_growth(db) -> None:
    rows = dict(
        (year, (out_cost, in_cost))
        for year, out_cost, in_cost in db.execute(
            "SELECT NAM_QT, avg(T_TONGCHI_BH) FILTER (WHERE MA_LOAI_KCB NOT IN ('03','04','09')),"
            " avg(T_TONGCHI_BH) FILTER (WHERE MA_LOAI_KCB IN ('03','04','09')) FROM c GROUP BY 1"
        ).fetchall()
    )
    out_2025, in_2025 = rows[2025]
    assert abs(out_2025 / 373_878 - 1) < 0.08  # Jan–May 2025: 373,878 VND
    assert abs(in_2025 / 5_841_756 - 1) < 0.08  # Jan–May 2025: 5,841,756 VND
    assert rows[2026][0] > out_2025 * 1.04 and rows[2026][1] > in_2025 * 1.04


def test_bed_charges_are_a_quarter_of_inpatient_cost(db) -> None:
    share = one(
        db,
        "SELECT sum(s.THANH_TIEN_BH) FILTER (WHERE s.MA_NHOM IN ('14','15','16')) / "
        "(SELECT sum(T_TONGCHI_BH) FROM c WHERE MA_LOAI_KCB IN ('03','04','09')) "
        "FROM s JOIN c USING (MA_CSKCB, MA_LK) WHERE c.MA_LOAI_KCB IN ('03','04','09')",
    )
    assert 0.20 < share < 0.30  # 24.8 % in 2024


def test_tet_trough_and_rainy_season_peak(db) -> None:
    by_month = dict(
        db.execute(
            "SELECT month(NGAY_VAO), count(*) FROM c WHERE year(NGAY_VAO) = 2025 GROUP BY 1"
        ).fetchall()
    )
    assert min(by_month, key=by_month.__getitem__) == 2
    assert by_month[7] > sum(by_month.values()) / 12
    dengue = dict(
        db.execute(
            "SELECT month(NGAY_VAO), count(*) FROM c WHERE MA_BENH_CHINH = 'A90' "
            "AND year(NGAY_VAO) = 2025 GROUP BY 1"
        ).fetchall()
    )
    assert dengue.get(8, 0) > 3 * dengue.get(2, 0)


def test_diagnoses_follow_age_and_sex(db) -> None:
    age = "date_diff('year', NGAY_SINH, NGAY_VAO::DATE)"
    men_in_maternity = one(
        db, "SELECT count(*) FROM c WHERE MA_BENH_CHINH IN ('O80','O82','Z34.9') AND GIOI_TINH = 1"
    )
    assert men_in_maternity == 0
    assert one(db, f"SELECT max({age}) FROM c WHERE MA_BENH_CHINH IN ('J21.9','P59.9')") <= 6
    assert one(db, f"SELECT min({age}) FROM c WHERE MA_BENH_CHINH = 'I10'") >= 17
    assert one(db, "SELECT count(DISTINCT MA_BENH_CHINH) FROM c") >= 25


def test_facility_mix_by_level(db) -> None:
    rows = dict(
        db.execute(
            "SELECT CASE WHEN f.ownership <> 'public' THEN 'private' ELSE f.level END, count(*) "
            "FROM c JOIN f ON f.code = c.MA_CSKCB "
            "WHERE c.MA_LOAI_KCB NOT IN ('03','04','09') GROUP BY 1"
        ).fetchall()
    )
    total = sum(rows.values())
    assert 0.18 < rows["commune_station"] / total < 0.30
    assert 0.30 < rows["regional"] / total < 0.42
    assert 0.24 < rows["provincial"] / total < 0.36


def test_the_province_overruns_its_estimate_in_the_autumn(db, out: Path) -> None:
    estimates = db.execute(
        f'SELECT "Năm"::INT, "Lần điều chỉnh"::INT, "Số tiền dự toán"::BIGINT '
        f"FROM read_csv('{out}/inputs/spending_estimates.csv', all_varchar=true) "
        'WHERE "Mã cơ sở KCB" IS NULL ORDER BY 1, 2'
    ).fetchall()
    latest = {year: amount for year, _, amount in estimates}
    paid = dict(
        db.execute("SELECT THANG_QT, sum(T_BHTT) FROM c WHERE NAM_QT = 2026 GROUP BY 1").fetchall()
    )
    running, crossed = 0.0, None
    for month in range(1, 11):
        running += paid[month]
        if crossed is None and running > latest[2026]:
            crossed = month
    assert crossed in (9, 10)
    paid_2025 = one(db, "SELECT sum(T_BHTT) FROM c WHERE NAM_QT = 2025")
    assert paid_2025 > latest[2025]


def test_only_insured_residents_visit_except_where_planted(db) -> None:
    natural = (
        "FROM c LEFT JOIN t ON t.facility_code = c.MA_CSKCB AND t.claim_code = c.MA_LK "
        "WHERE t.kind IS NULL"
    )
    uncovered = one(
        db,
        f"SELECT count(*) {natural} AND NOT (EXISTS (SELECT 1 FROM e WHERE "
        "e.true_person_id = c.SO_CCCD AND e.start_date <= c.NGAY_VAO::DATE "
        "AND (e.end_date IS NULL OR e.end_date >= c.NGAY_VAO::DATE)) AND EXISTS (SELECT 1 FROM e "
        "WHERE e.true_person_id = c.SO_CCCD AND e.start_date <= c.NGAY_RA::DATE "
        "AND (e.end_date IS NULL OR e.end_date >= c.NGAY_RA::DATE)))",
    )
    assert uncovered == 0
    outside = one(
        db,
        f"SELECT count(*) {natural} AND (c.NGAY_VAO::DATE < strptime(split_part(GT_THE_TU, ';', 1), "
        "'%Y%m%d')::DATE OR c.NGAY_RA::DATE > strptime(split_part(GT_THE_DEN, ';', -1), '%Y%m%d')::DATE)",
    )
    assert outside == 0
    dead = one(
        db,
        f"SELECT count(*) {natural} AND EXISTS (SELECT 1 FROM r WHERE r.person_id = c.SO_CCCD "
        "AND r.death_date <= c.NGAY_VAO::DATE)",
    )
    assert dead == 0


def _pairs(rows: list[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(a, b) for a, b in rows}


def test_dead_cards_are_exactly_the_planted_ones(db) -> None:
    found = _pairs(
        db.execute(
            "SELECT MA_CSKCB, MA_LK FROM c JOIN r ON r.person_id = c.SO_CCCD "
            "WHERE r.death_date < c.NGAY_VAO::DATE"
        ).fetchall()
    )
    assert found == planted(db, "dead_card") and len(found) >= 30


def test_duplicates_and_two_facilities_a_day_are_exactly_the_planted_ones(db) -> None:
    dup = _pairs(
        db.execute(
            "SELECT MA_CSKCB, MA_LK FROM (SELECT *, row_number() OVER (PARTITION BY SO_CCCD, "
            "MA_CSKCB, NGAY_VAO::DATE ORDER BY NGAY_VAO, MA_LK) AS n FROM c) WHERE n > 1"
        ).fetchall()
    )
    assert dup == planted(db, "duplicate_claim") and len(dup) >= 30
    same_day = db.execute(
        "SELECT SO_CCCD, NGAY_VAO::DATE FROM c GROUP BY 1, 2 HAVING count(DISTINCT MA_CSKCB) > 1"
    ).fetchall()
    plants = db.execute(
        "SELECT c.SO_CCCD, c.NGAY_VAO::DATE FROM c JOIN t ON t.facility_code = c.MA_CSKCB "
        "AND t.claim_code = c.MA_LK WHERE t.kind = 'two_facilities_same_day' "
        "AND t.paired_claim_code NOT IN (SELECT claim_code FROM x)"
    ).fetchall()
    assert set(same_day) == set(plants) and len(plants) >= 30


def test_split_admissions_and_long_stays_are_exactly_the_planted_ones(db) -> None:
    split = db.execute(
        "SELECT a.MA_CSKCB, a.MA_LK, b.MA_LK FROM c a JOIN c b ON a.SO_CCCD = b.SO_CCCD "
        "AND a.MA_CSKCB = b.MA_CSKCB AND a.MA_BENH_CHINH = b.MA_BENH_CHINH "
        "AND b.NGAY_VAO > a.NGAY_RA AND b.NGAY_VAO <= a.NGAY_RA + INTERVAL 2 DAY "
        "WHERE a.MA_LOAI_KCB = '03' AND b.MA_LOAI_KCB = '03'"
    ).fetchall()
    found = {(f, x) for f, x, _ in split} | {(f, y) for f, _, y in split}
    assert found == planted(db, "split_admission") and len(split) >= 30
    long = _pairs(
        db.execute(
            "WITH m AS (SELECT MA_BENH_CHINH, median(SO_NGAY_DTRI) AS med FROM c "
            "WHERE MA_LOAI_KCB = '03' GROUP BY 1) SELECT MA_CSKCB, MA_LK FROM c JOIN m "
            "USING (MA_BENH_CHINH) WHERE MA_LOAI_KCB = '03' AND SO_NGAY_DTRI > 3 * m.med"
        ).fetchall()
    )
    assert long == planted(db, "long_stay") and len(long) >= 30


def test_beds_on_outpatient_visits_and_prices_above_tender_are_the_planted_ones(
    db, out: Path
) -> None:
    beds = _pairs(
        db.execute(
            "SELECT DISTINCT c.MA_CSKCB, c.MA_LK FROM c JOIN s USING (MA_CSKCB, MA_LK) "
            "WHERE s.MA_NHOM IN ('14','15','16') AND c.MA_LOAI_KCB IN ('01','09')"
        ).fetchall()
    )
    assert beds == planted(db, "bed_on_outpatient") and len(beds) >= 30
    # no natural stay under four hours bills a bed-day: only the planted ones do
    short = _pairs(
        db.execute(
            "SELECT DISTINCT c.MA_CSKCB, c.MA_LK FROM c JOIN s USING (MA_CSKCB, MA_LK) "
            "WHERE s.MA_NHOM IN ('14','15','16') AND c.NGAY_RA < c.NGAY_VAO + INTERVAL 4 HOUR"
        ).fetchall()
    )
    assert short <= planted(db, "bed_on_outpatient")
    db.execute(
        'CREATE OR REPLACE TEMP VIEW p AS SELECT "Mã thuốc, vật tư, dịch vụ" AS code, '
        '"Đơn giá trúng thầu"::DOUBLE AS price, strptime("Từ ngày", \'%d/%m/%Y\')::DATE AS lo, '
        "strptime(\"Đến ngày\", '%d/%m/%Y')::DATE AS hi FROM "
        f"read_csv('{out}/inputs/tender_prices.csv', all_varchar=true) WHERE \"Loại\" = 'drug'"
    )
    above = _pairs(
        db.execute(
            "SELECT DISTINCT d.MA_CSKCB, d.MA_LK FROM d JOIN c USING (MA_CSKCB, MA_LK) "
            "JOIN p ON p.code = d.MA_THUOC AND c.NGAY_VAO::DATE BETWEEN p.lo AND p.hi "
            "WHERE d.DON_GIA > p.price + 0.5"
        ).fetchall()
    )
    assert above == planted(db, "price_above_tender") and len(above) >= 30


def test_outside_validity_is_the_planted_kind_and_facility_signals_are_recorded(db) -> None:
    outside = _pairs(
        db.execute(
            "SELECT MA_CSKCB, MA_LK FROM c WHERE (c.NGAY_VAO::DATE < strptime(split_part(GT_THE_TU,"
            " ';', 1), '%Y%m%d')::DATE OR c.NGAY_VAO::DATE > strptime(split_part(GT_THE_DEN, ';', -1),"
            " '%Y%m%d')::DATE)"
        ).fetchall()
    )
    assert planted(db, "outside_card_validity") <= outside
    assert outside - planted(db, "outside_card_validity") <= planted(db, "dead_card")
    kinds = dict(
        db.execute("SELECT kind, count(*) FROM t WHERE claim_code IS NULL GROUP BY 1").fetchall()
    )
    assert kinds == {
        "facility_cost_growth": 1,
        "facility_inpatient_growth": 1,
        "doctor_drugs": 2,
        "doctor_imaging": 1,
    }
    grown = db.execute(
        "SELECT facility_code FROM t WHERE kind = 'facility_cost_growth'"
    ).fetchall()[0][0]
    ratio = one(
        db,
        "SELECT (avg(T_TONGCHI_BH) FILTER (WHERE NAM_QT = 2026 AND MA_CSKCB = $g) / "
        "avg(T_TONGCHI_BH) FILTER (WHERE NAM_QT = 2025 AND THANG_QT <= 10 AND MA_CSKCB = $g)) / "
        "(avg(T_TONGCHI_BH) FILTER (WHERE NAM_QT = 2026 AND MA_CSKCB <> $g) / "
        "avg(T_TONGCHI_BH) FILTER (WHERE NAM_QT = 2025 AND THANG_QT <= 10 AND MA_CSKCB <> $g)) FROM c"
        " WHERE MA_LOAI_KCB NOT IN ('03', '04', '09')".replace("$g", f"'{grown}'"),
    )
    assert ratio > 1.2


def test_a_sample_of_facility_months_is_written_as_xml(out: Path) -> None:
    files = sorted((out / "inputs" / "claims_xml").glob("giamdinhhs_*.xml"))
    assert len(files) == 3
    head = files[0].read_text("utf-8")[:400]
    assert "<GIAMDINHHS>" in head and "<SOLUONGHOSO>" in head
