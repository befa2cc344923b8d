"""Imports on the web: upload files, see the validation results and the rejected rows, the
snapshot history; recompute the marts afterwards.

Uploads go through the same all-or-nothing ingest as ``baophu import``
(``ingest.importer.import_paths``), in a background job holding the workspace file for the
import only.  Uploaded files are kept under ``uploads/`` in the workspace (the snapshot
records their path and hash).  Province administrators only.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, UploadFile
from fastapi.responses import RedirectResponse, Response

from baophu.app import queries
from baophu.app.fmt import mask_id
from baophu.app.jobs import Job
from baophu.app.marts import MartCache, writable_store
from baophu.app.scope import IMPORT_ROLES, require_role
from baophu.app.web import Page, current
from baophu.operational.db import OperationalDB

router = APIRouter()
MAX_UPLOAD = 2 * 1024**3  # 2 GiB per file
ALLOWED = (".csv", ".xlsx", ".xls", ".parquet")
SAFE = re.compile(r"[^A-Za-z0-9._-]+")
REJECTS_SHOWN = 500


def _safe_name(name: str) -> str:
    import unicodedata

    base = Path(name).name
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    ascii_name = ascii_name.replace("đ", "d").replace("Đ", "D")
    cleaned = SAFE.sub("_", ascii_name).strip("._") or "tep"
    return cleaned[:120]


@router.get("/imports")
def imports_page(page: Annotated[Page, Depends(current)], all: bool = False) -> Response:
    require_role(page.scope, IMPORT_ROLES)
    return page.render(
        "imports.html",
        snapshots=queries.snapshots(page.snap, all_=all),
        show_all=all,
        jobs=page.ctx.jobs.recent(),
        marts=sorted(page.snap.stamps.items()),
        state_id=page.snap.state_id,
    )


@router.post("/imports")
async def upload(
    page: Annotated[Page, Depends(current)],
    files: Annotated[list[UploadFile], File()],
) -> Response:
    require_role(page.scope, IMPORT_ROLES)
    if not files or all(not f.filename for f in files):
        raise HTTPException(400, "Chưa chọn tệp nào.")
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    folder = page.ctx.workspace.root / "uploads" / stamp
    folder.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    for f in files:
        if not f.filename:
            continue
        name = _safe_name(f.filename)
        if not name.lower().endswith(ALLOWED):
            raise HTTPException(400, f"Định dạng tệp không được hỗ trợ: {f.filename}")
        target = folder / name
        size = 0
        with target.open("wb") as out:
            while chunk := await f.read(1 << 20):
                size += len(chunk)
                if size > MAX_UPLOAD:
                    raise HTTPException(413, "Tệp vượt quá 2 GiB.")
                out.write(chunk)
        saved.append(target)
    cache, db, user = page.ctx.marts, page.ctx.db, page.viewer
    job = page.ctx.jobs.submit(
        "import",
        "Nhập " + ", ".join(p.name for p in saved),
        user.username,
        lambda job: _import(cache, db, user.username, user.role, folder, job),
    )
    page.audit("import_upload", "upload", rows=len(saved), detail=", ".join(p.name for p in saved))
    return RedirectResponse(f"/imports?job={job.id}", status_code=303)


def _import(
    cache: MartCache, db: OperationalDB, username: str, role: str, folder: Path, job: Job
) -> dict[str, Any]:
    from baophu.ingest.importer import import_paths

    def progress(step: str, done: int, total: int) -> None:
        job.progress = f"{step} ({done}/{total})"

    with writable_store(cache) as store:
        result = import_paths(store, [folder], cache.workspace.rejects_dir, progress=progress)
    out = result.as_dict()
    db.audit(
        username,
        "import",
        "workspace",
        role=role,
        rows=sum(f.rows_imported for f in result.files),
        detail=f"batch={result.batch_id}; committed={result.committed}; "
        f"files={len(result.files)}; error={result.error or ''}",
    )
    if not result.committed:
        raise RuntimeError(result.error_vi or result.error or "nhập thất bại")
    return out


@router.post("/imports/recompute")
def recompute(page: Annotated[Page, Depends(current)]) -> Response:
    """Run the declared pipeline on the imported data: every stale step, in order."""
    require_role(page.scope, IMPORT_ROLES)
    cache, db = page.ctx.marts, page.ctx.db

    def work(job: Job) -> dict[str, Any]:
        from baophu.engine.pipeline import Inputs, run_pipeline
        from baophu.operational.manual_targets import manual_targets_table
        from baophu.operational.outcomes import last_outcomes_table

        inputs = Inputs(
            manual_targets=manual_targets_table(db), field_outcomes=last_outcomes_table(db)
        )

        def on_step(step: Any, index: int, total: int) -> None:
            job.progress = f"{step.title_vi} ({index + 1}/{total})"

        with writable_store(cache) as store:
            results = run_pipeline(store, inputs, on_step=on_step)
        return {
            r.step: r.result.get("rows", r.result.get("marts"))
            if r.status == "computed"
            # a skipped step says why (no targets for the year); a current one is left alone
            else (r.reasons[0] if r.status == "skipped" and r.reasons else r.status)
            for r in results
        }

    job = page.ctx.jobs.submit("recompute", "Tính lại toàn bộ số liệu", page.viewer.username, work)
    page.audit("recompute", "marts")
    return RedirectResponse(f"/imports?job={job.id}", status_code=303)


def _rejects_file(page: Page, name: str) -> Path:
    folder = page.ctx.workspace.rejects_dir.resolve()
    path = (folder / Path(name).name).resolve()
    if path.parent != folder or not path.exists() or path.suffix != ".csv":
        raise HTTPException(404)
    return path


@router.get("/imports/rejects")
def rejects(page: Annotated[Page, Depends(current)], file: str) -> Response:
    require_role(page.scope, IMPORT_ROLES)
    path = _rejects_file(page, file)
    rows: list[list[str]] = []
    total = 0
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        for row in reader:
            total += 1
            if len(rows) < REJECTS_SHOWN:
                if len(row) > 3 and "person_id" in row[2] and not page.scope.full_ids:
                    row[3] = mask_id(row[3])
                rows.append(row)
    page.audit("view", "rejects", rows=len(rows), detail=path.name)
    return page.render(
        "rejects.html", name=path.name, header=header, rows=rows, total=total, shown=len(rows)
    )


@router.get("/imports/rejects.csv")
def rejects_download(page: Annotated[Page, Depends(current)], file: str) -> Response:
    require_role(page.scope, IMPORT_ROLES)
    path = _rejects_file(page, file)
    page.audit("export", "rejects", detail=path.name)
    return Response(
        path.read_bytes(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{path.name}"'},
    )
