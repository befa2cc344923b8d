"""A hand-made office for the risk checks: every row written here, every expected case and
amount worked out by hand below (pinned parameters: base salary 2,340,000 from 07/2024, BHYT
4.5 % → 105,300 a month; voluntary BHXH 22 %; remittance due in 3 days).  Reference date
31/10/2026.

People (all in Khu phố 1, office 75BH01):

* P1 An — one household card entered twice: E01 by personal ID, E02 by legacy code only,
  both 01/01–31/12/2026 → ``duplicate_record`` (E01,E02): Jan–Oct, 10 × 105,300 = 1,053,000.
* P2 Bình — employer's card E03 01/07/2025–30/06/2026 and household card E04 from 30/06/2026:
  they overlap by exactly one day → ``overlapping_bhyt``: the household card is refunded for
  June 2026, 1 × 105,300.
* P3 Cường — employer's card E05 to 29/06/2026, household card E06 from 30/06/2026: they
  touch, do not overlap → nothing.
* P4 Đức — died 15/05/2026, household card E07 01/01–31/12/2026 → ``deceased_enrolled``:
  June–October, 5 × 105,300 = 526,500.
* P5 Hoa — died 31/03/2026, card E08 ending on 31/03/2026 → nothing.
* P6 Hùng — compulsory BHXH E09 (2026) and voluntary BHXH E10 from 01/09/2026 on an income of
  2,000,000 → ``bhxh_double_paid``: September–October, 2 × 440,000 = 880,000.
* P7 Lan — household card E11 from 01/08/2026 brought by collector NV1, no receipt →
  ``enrolment_without_receipt``: August–October, 3 × 105,300 = 315,900.
* P8 Minh — no enrolment, receipt R4 of 10/07/2026 → ``receipt_without_enrolment`` 1,263,600.
* P9 Nga — no enrolment, receipt R6 of 30/10/2026: not yet past the 3 days → nothing.
* P10 Phúc (household H2, on the near-poor list of 2026) — near-poor card E12 → nothing.
* P11 Quỳnh (household H1, on no list) — near-poor card E13 to 28/02/2027 →
  ``budget_ineligible``: November–February, 4 × 105,300 × 70 % = 294,840.
* P12 Sơn (household H2: near-poor, not poor) — poor household's card E14 to 31/12/2026 →
  ``budget_ineligible``: November–December, 2 × 105,300 = 210,600.

A record under a mistyped ID: E24, Cường's household card E06 entered again with the ID
075090000030 (the last two digits swapped), which the register does not hold.  Without the
identity step's remainder links it is nobody's and nothing is found; once the identity step
links it to Cường (``REMAINDER_EXPECTED``) → ``duplicate_record`` (E06,E24): June–October,
5 × 105,300 = 526,500.

Pupils (student cards 01/10/2026–30/09/2027; the budget supports 50 % from 09/2025; school
THPT 26734PT01 sent its 2026-2027 roster, primary school 26734TH01 did not):

* P13 Tâm — on the 2025-2026 roster of 26734PT01 (class 12A1), on no 2026-2027 roster →
  ``student_ineligible`` E15: November–September, 11 × 105,300 × 50 % = 579,150.
* P14 Uyên — on both years' rosters → nothing.
* P15 Vinh — on the 2025-2026 roster by ID; on the 2026-2027 roster without an ID, his name
  without diacritics and day and month of birth swapped → still at school, nothing.
* P16 Xuân — on no roster at all (no roster links him) → nothing.
* P17 Yến — on the 2025-2026 roster of 26734TH01, which sent no 2026-2027 roster → nothing.

Benefit lists of commune 26734 (October 2026):

* P18 Bảo — social-pension card E20, open, on the social-pension list by ID → nothing.
* P19 Chi — social-pension card E21, open, on no list → ``benefit_ineligible``: the open
  card's months to December, 2 × 105,300 = 210,600.
* P20 Dũng — survivor card E22, on the survivor list without an ID (name and birth date) →
  nothing.
* P21 Em — survivor card E23 to 31/03/2027, on the survivor list but the allowance ended on
  31/08/2026 → ``benefit_ineligible``: November–March, 5 × 105,300 = 526,500.

Agent DL01's receipts: R1 (E04) and R2 (E06) 27/06, R3 (E10) 28/08, R4 10/07, R6 30/10, R8
01/10 (E10's next quarter).  Transfers: T1 28/06 for 27/06 (2,527,200: in full, on time); T2
20/07 for 10/07 → ``late_remittance`` 1,263,600; T3 31/08 for 28/08, exactly on the due day
(not late), 1,000,000 for 1,320,000 → ``remittance_shortfall`` 320,000.  R8 (01/10, past due)
is in no transfer → ``remittance_shortfall`` DL01:chua-chuyen 1,320,000; R6 is not yet due.
"""

from __future__ import annotations

from pathlib import Path

UNITS = """Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên,Loại đơn vị,Mã tỉnh
75,Đồng Nai,province,,tỉnh,75
75BH01,BHXH cơ sở Biên Hòa,office,75,BHXH cơ sở,75
26734,Phường Biên Hòa,commune,75BH01,phường,75
26734001,Khu phố 1,hamlet,26734,khu phố,75
"""
HOUSEHOLDS = """Mã hộ gia đình,Mã thôn/ấp,Địa chỉ,Số định danh chủ hộ
H1,26734001,12 Lê Lợi,075085000001
H2,26734001,14 Lê Lợi,075095000010
"""
RESIDENTS = """person_id,full_name,sex,birth_date,ethnicity,household_id,relation_to_head,hamlet_code,phone,si_code,death_date,moved_in_date,moved_out_date
075085000001,Nguyễn Văn An,male,1985-03-12,Kinh,H1,Chủ hộ,26734001,,7512345678,,,
075185000002,Trần Thị Bình,female,1985-07-01,Kinh,H1,Vợ,26734001,,,,,
075090000003,Lê Văn Cường,male,1990-01-01,Kinh,H1,Con,26734001,,,,,
075060000004,Lê Văn Đức,male,1960-01-01,Kinh,H1,Cha,26734001,,,2026-05-15,,
075162000005,Phạm Thị Hoa,female,1962-05-05,Kinh,H1,Mẹ,26734001,,,2026-03-31,,
075088000006,Võ Văn Hùng,male,1988-08-08,Kinh,H1,Con,26734001,,,,,
075192000007,Đỗ Thị Lan,female,1992-02-02,Kinh,H1,Con,26734001,,,,,
075093000008,Hồ Văn Minh,male,1993-03-03,Kinh,H1,Con,26734001,,,,,
075194000009,Ngô Thị Nga,female,1994-04-04,Kinh,H1,Con,26734001,,,,,
075095000010,Trương Văn Phúc,male,1995-05-05,Kinh,H2,Chủ hộ,26734001,,,,,
075196000011,Vũ Thị Quỳnh,female,1996-06-06,Kinh,H1,Con,26734001,,,,,
075097000012,Đinh Văn Sơn,male,1997-07-07,Kinh,H2,Em,26734001,,,,,
075308000013,Lâm Thị Tâm,female,2008-09-09,Kinh,H2,Con,26734001,,,,,
075308000014,Lâm Thị Uyên,female,2008-10-10,Kinh,H2,Con,26734001,,,,,
075209000015,Vũ Văn Vinh,male,2009-03-04,Kinh,H2,Con,26734001,,,,,
075209000016,Lâm Văn Xuân,male,2009-05-05,Kinh,H2,Con,26734001,,,,,
075315000017,Lâm Thị Yến,female,2015-06-06,Kinh,H2,Con,26734001,,,,,
075045000018,Lý Văn Bảo,male,1945-01-01,Kinh,H1,Ông,26734001,,,,,
075146000019,Lý Thị Chi,female,1946-02-02,Kinh,H1,Bà,26734001,,,,,
075047000020,Lý Văn Dũng,male,1947-03-03,Kinh,H2,Ông,26734001,,,,,
075148000021,Lý Thị Em,female,1948-04-04,Kinh,H2,Bà,26734001,,,,,
"""
CLASSIFICATIONS = """list_year,commune_code,household_id,classification,member_no,person_id,full_name,sex,birth_date,valid_from,valid_to
2026,26734,H2,near_poor,1,075095000010,Trương Văn Phúc,male,1995-05-05,2026-01-01,2026-12-31
2026,26734,H2,near_poor,2,075097000012,Đinh Văn Sơn,male,1997-07-07,2026-01-01,2026-12-31
"""
_E = "75,26734001"
ENROLMENTS = f"""enrolment_id,person_id,si_code,full_name,sex,birth_date,scheme,participant_group,payer,employer_code,start_date,end_date,contribution_wage,enrol_province_code,hamlet_code,collector_code
E01,075085000001,7512345678,Nguyễn Văn An,male,1985-03-12,bhyt,household,household,,2026-01-01,2026-12-31,,{_E},NV1
E02,,7512345678,Nguyễn Văn An,male,1985-03-12,bhyt,household,household,,2026-01-01,2026-12-31,,{_E},NV1
E03,075185000002,,Trần Thị Bình,female,1985-07-01,bhyt,employee,employer,DVA,2025-07-01,2026-06-30,10000000,{_E},
E04,075185000002,,Trần Thị Bình,female,1985-07-01,bhyt,household,household,,2026-06-30,2027-06-29,,{_E},NV1
E05,075090000003,,Lê Văn Cường,male,1990-01-01,bhyt,employee,employer,DVA,2025-07-01,2026-06-29,9000000,{_E},
E06,075090000003,,Lê Văn Cường,male,1990-01-01,bhyt,household,household,,2026-06-30,2027-06-29,,{_E},NV1
E07,075060000004,,Lê Văn Đức,male,1960-01-01,bhyt,household,household,,2026-01-01,2026-12-31,,{_E},NV1
E08,075162000005,,Phạm Thị Hoa,female,1962-05-05,bhyt,household,household,,2025-04-01,2026-03-31,,{_E},NV1
E09,075088000006,,Võ Văn Hùng,male,1988-08-08,bhxh_compulsory,employee,employer,DVA,2026-01-01,2026-12-31,8000000,{_E},
E10,075088000006,,Võ Văn Hùng,male,1988-08-08,bhxh_voluntary,voluntary,self,,2026-09-01,,2000000,{_E},NV1
E11,075192000007,,Đỗ Thị Lan,female,1992-02-02,bhyt,household,household,,2026-08-01,2027-07-31,,{_E},NV1
E12,075095000010,,Trương Văn Phúc,male,1995-05-05,bhyt,near_poor,budget_supported,,2026-01-01,2026-12-31,,{_E},
E13,075196000011,,Vũ Thị Quỳnh,female,1996-06-06,bhyt,near_poor,budget_supported,,2026-03-01,2027-02-28,,{_E},
E14,075097000012,,Đinh Văn Sơn,male,1997-07-07,bhyt,poor,state_budget,,2026-01-01,2026-12-31,,{_E},
E15,075308000013,,Lâm Thị Tâm,female,2008-09-09,bhyt,student,budget_supported,,2026-10-01,2027-09-30,,{_E},
E16,075308000014,,Lâm Thị Uyên,female,2008-10-10,bhyt,student,budget_supported,,2026-10-01,2027-09-30,,{_E},
E17,075209000015,,Vũ Văn Vinh,male,2009-03-04,bhyt,student,budget_supported,,2026-10-01,2027-09-30,,{_E},
E18,075209000016,,Lâm Văn Xuân,male,2009-05-05,bhyt,student,budget_supported,,2026-10-01,2027-09-30,,{_E},
E19,075315000017,,Lâm Thị Yến,female,2015-06-06,bhyt,student,budget_supported,,2026-10-01,2027-09-30,,{_E},
E20,075045000018,,Lý Văn Bảo,male,1945-01-01,bhyt,social_pension,state_budget,,2025-07-01,,,{_E},
E21,075146000019,,Lý Thị Chi,female,1946-02-02,bhyt,social_pension,state_budget,,2025-07-01,,,{_E},
E22,075047000020,,Lý Văn Dũng,male,1947-03-03,bhyt,survivor_allowance,state_budget,,2025-07-01,2027-06-30,,{_E},
E24,075090000030,,Lê Văn Cường,male,1990-01-01,bhyt,household,household,,2026-06-30,2027-06-29,,{_E},
E23,075148000021,,Lý Thị Em,female,1948-04-04,bhyt,survivor_allowance,state_budget,,2025-07-01,2027-03-31,,{_E},
"""
ROSTERS = """school_year,school_code,school_name,commune_code,class_name,row_no,full_name,person_id,sex,birth_date
2025-2026,26734PT01,Trường THPT Biên Hòa,26734,12A1,1,Lâm Thị Tâm,075308000013,female,2008-09-09
2025-2026,26734PT01,Trường THPT Biên Hòa,26734,11A1,1,Lâm Thị Uyên,075308000014,female,2008-10-10
2025-2026,26734PT01,Trường THPT Biên Hòa,26734,11A1,2,Vũ Văn Vinh,075209000015,male,2009-03-04
2025-2026,26734TH01,Trường Tiểu học Biên Hòa,26734,5A,1,Lâm Thị Yến,075315000017,female,2015-06-06
2026-2027,26734PT01,Trường THPT Biên Hòa,26734,12A1,1,Lâm Thị Uyên,075308000014,female,2008-10-10
2026-2027,26734PT01,Trường THPT Biên Hòa,26734,12A1,2,Vu Van Vinh,,male,2009-04-03
"""
BENEFITS = """list_month,benefit,commune_code,row_no,person_id,full_name,sex,birth_date,benefit_from,benefit_to
2026-10,social_pension,26734,1,075045000018,Lý Văn Bảo,male,1945-01-01,2025-07-01,
2026-10,survivor_allowance,26734,1,,Lý Văn Dũng,male,1947-03-03,2020-01-01,
2026-10,survivor_allowance,26734,2,075148000021,Lý Thị Em,female,1948-04-04,2020-01-01,2026-08-31
"""
AGENTS = """Mã tổ chức dịch vụ thu,Tên tổ chức dịch vụ thu,Mã BHXH cơ sở
DL01,Bưu điện Biên Hòa,75BH01
"""
COLLECTORS = """Mã nhân viên thu,Họ và tên,Mã tổ chức dịch vụ thu,Mã thôn/ấp phụ trách,Số điện thoại
NV1,Trương Thị Thu,DL01,26734001,0901234567
"""
RECEIPTS = """agent_code,receipt_no,receipt_date,collector_code,school_code,person_id,si_code,full_name,scheme,amount,months,period_start,enrolment_id
DL01,R1,2026-06-27,NV1,,075185000002,,Trần Thị Bình,bhyt,1263600,12,2026-06-30,
DL01,R2,2026-06-27,NV1,,075090000003,,Lê Văn Cường,bhyt,1263600,12,2026-06-30,
DL01,R3,2026-08-28,NV1,,075088000006,,Võ Văn Hùng,bhxh_voluntary,1320000,3,2026-09-01,
DL01,R4,2026-07-10,NV1,,075093000008,,Hồ Văn Minh,bhyt,1263600,12,2026-07-15,
DL01,R6,2026-10-30,NV1,,075194000009,,Ngô Thị Nga,bhyt,1263600,12,2026-11-01,
DL01,R8,2026-10-01,NV1,,075088000006,,Võ Văn Hùng,bhxh_voluntary,1320000,3,2026-12-01,
"""
REMITTANCES = """remittance_id,agent_code,school_code,remittance_date,amount,receipts_from,receipts_to
T1,DL01,,2026-06-28,2527200,2026-06-27,2026-06-27
T2,DL01,,2026-07-20,1263600,2026-07-10,2026-07-10
T3,DL01,,2026-08-31,1000000,2026-08-28,2026-08-28
"""

# kind → {evidence: amount}, worked out in the module docstring
EXPECTED: dict[str, dict[str, int]] = {
    "duplicate_record": {"E01,E02": 1_053_000},
    "overlapping_bhyt": {"E03,E04": 105_300},
    "bhxh_double_paid": {"E09,E10": 880_000},
    "deceased_enrolled": {"E07": 526_500},
    "budget_ineligible": {"E13": 294_840, "E14": 210_600},
    "student_ineligible": {"E15": 579_150},
    "benefit_ineligible": {"E21": 210_600, "E23": 526_500},
    "late_remittance": {"T2": 1_263_600},
    "remittance_shortfall": {"T3": 320_000, "DL01": 1_320_000},
    "receipt_without_enrolment": {"DL01/R4": 1_263_600},
    "enrolment_without_receipt": {"E11": 315_900},
}

# the cases added once the identity step linked what the exact IDs leave (E24)
REMAINDER_EXPECTED: dict[str, dict[str, int]] = {"duplicate_record": {"E06,E24": 526_500}}


def write_inputs(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, text in (
        ("units.csv", UNITS),
        ("households.csv", HOUSEHOLDS),
        ("residents.csv", RESIDENTS),
        ("household_classifications.csv", CLASSIFICATIONS),
        ("enrolments.csv", ENROLMENTS),
        ("agents.csv", AGENTS),
        ("collectors.csv", COLLECTORS),
        ("agent_receipts.csv", RECEIPTS),
        ("agent_remittances.csv", REMITTANCES),
        ("school_rosters.csv", ROSTERS),
        ("benefit_lists.csv", BENEFITS),
    ):
        (folder / name).write_text(text, encoding="utf-8")
    return folder
