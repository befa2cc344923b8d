"""The documents officials exchange, made from the marts: the monthly steering-committee
report, the year-end report to the People's Committee, and the quarterly reports to
Finance, Health and the labour inspectorate — Word (.docx, from templates an office can
edit) and PDF (through headless LibreOffice), each stamped with its imported state,
reference date and rule version.

Entry point: ``make_reports(store, kinds, out_dir, unit_code=None, reference_date=None)``.
"""

from baophu.reports.documents.build import KIND_VI, KINDS, ReportFile, make_reports
from baophu.reports.documents.model import Document, DocumentError

__all__ = ["KINDS", "KIND_VI", "Document", "DocumentError", "ReportFile", "make_reports"]
