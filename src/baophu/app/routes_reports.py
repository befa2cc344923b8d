"""The reports as downloads (Word or PDF) for the user's scope, each one audited.

``/units/{code}/reports/{kind}?format=docx|pdf``: the monthly report and the inspection list
for any unit the user may see (province, grassroots office, commune; the inspection list
only for roles that see employers); the year-end report and the quarterly reports to Finance
and Health for the province roles, on the province.  The documents are made from the web's
copy of the marts, exactly as ``baophu reports`` makes them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response

from baophu.app import params, queries
from baophu.app.auth import Forbidden
from baophu.app.routes_units import download_response
from baophu.app.scope import PROVINCE_ROLES, require, require_role
from baophu.app.web import Page, current

router = APIRouter()

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KINDS_URL = {
    "monthly": "monthly",
    "year-end": "year_end",
    "finance": "finance",
    "health": "health",
    "inspection": "inspection",
}
PROVINCE_KINDS = frozenset({"year_end", "finance", "health"})
UNIT_LEVELS = frozenset({"province", "office", "commune"})
TEMPLATE_FOLDER = Path("templates") / "documents"


@router.get("/units/{code}/reports/{kind}")
def unit_report(
    code: str,
    kind: str,
    page: Annotated[Page, Depends(current)],
    format: str | None = None,
) -> Response:
    from baophu.reports.documents import KIND_VI, DocumentError, make_reports

    require(page.scope, "unit", code, page.snap)
    unit = queries.unit(page.snap, code)
    if unit is None:
        raise HTTPException(404)
    name = KINDS_URL.get(kind)
    if name is None:
        raise HTTPException(404)
    fmt = params.choice(format, ("docx", "pdf"), "định dạng", default="docx")
    if name in PROVINCE_KINDS:
        require_role(page.scope, PROVINCE_ROLES)
        if unit.get("level") != "province":
            raise HTTPException(404)
    elif unit.get("level") not in UNIT_LEVELS:
        raise HTTPException(404)
    if name == "inspection" and not page.scope.sees_employers:
        raise Forbidden("Vai trò của bạn không xem danh sách đơn vị sử dụng lao động.")
    snap = page.snap
    if not snap.has("coverage_by_unit"):
        raise HTTPException(404)
    templates = page.ctx.workspace.root / TEMPLATE_FOLDER
    with tempfile.TemporaryDirectory() as tmp, snap.store() as store:
        try:
            (made,) = make_reports(
                store,
                [name],
                Path(tmp),
                unit_code=code,
                with_pdf=fmt == "pdf",
                template_dir=templates,
            )
        except DocumentError as exc:
            raise HTTPException(409, str(exc)) from exc
        path = made.pdf if fmt == "pdf" and made.pdf is not None else made.docx
        content = path.read_bytes()
    rows = sum(len(t.rows) for t in made.document.tables.values())
    page.audit(
        "export",
        f"report_{name}",
        unit_code=code,
        rows=rows,
        detail=f"{KIND_VI[name]}; tệp {fmt}; ngày số liệu {made.stamp['reference_date']}",
    )
    media = "application/pdf" if fmt == "pdf" else DOCX
    return download_response(
        content, f"bao-cao-{kind}-{code}-{made.stamp['reference_date']}.{fmt}", media
    )
