"""Imports on the web: upload files, see the validation results and the rejected rows, the
snapshot history; recompute the marts afterwards.

Uploads go through the same all-or-nothing ingest as ``baophu import``
(``ingest.importer.import_paths``), in a background job holding the workspace file for the
import only.  Uploaded files are kept under ``uploads/`` in the workspace (the snapshot
records their path and hash).  Province administrators only.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, UploadFile
from fastapi.responses import RedirectResponse, Response

from baophu.app import params, queries
from baophu.app.jobs import Job, JobFailed
from baophu.app.labels import STATUS_VI, table_vi
from baophu.app.labels import vi_half as _vi
from baophu.app.marts import MartCache, writable_store
from baophu.app.rejects_view import masked_csv, read_masked, vietnamese_view
from baophu.app.scope import IMPORT_ROLES, require_role
from baophu.app.web import Page, current
from baophu.operational.db import OperationalDB

router = APIRouter()
MAX_UPLOAD = 2 * 1024**3  # 2 GiB per file
ALLOWED = (".csv", ".xlsx", ".xls", ".parquet", ".xml")  # .xml: e-declaration dossiers
SAFE = re.compile(r"[^A-Za-z0-9._-]+")
REJECTS_SHOWN = 500
HISTORY_PAGE = 50


def _safe_name(name: str) -> str:
    import unicodedata

    base = Path(name).name
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    ascii_name = ascii_name.replace("đ", "d").replace("Đ", "D")
    cleaned = SAFE.sub("_", ascii_name).strip("._") or "tep"
    return cleaned[:120]


@router.get("/imports")
def imports_page(
    page: Annotated[Page, Depends(current)], all: str | None = None, p: str | None = None
) -> Response:
    require_role(page.scope, IMPORT_ROLES)
    show_all = params.flag(all)
    history = queries.snapshots(page.snap, all_=show_all)
    total = len(history)
    pages = max(1, -(-total // HISTORY_PAGE))
    page_no = min(params.page(p), pages)
    shown = history[(page_no - 1) * HISTORY_PAGE : page_no * HISTORY_PAGE]
    for snap_row in shown:
        snap_row["table_vi"] = table_vi(snap_row.get("table_name"))
        snap_row["status_vi"] = STATUS_VI.get(str(snap_row.get("status")), "")
        snap_row["only_warnings"] = not snap_row.get("rows_rejected") and bool(
            snap_row.get("rows_warned")
        )
    return page.render(
        "imports.html",
        snapshots=shown,
        history={"page": page_no, "pages": pages, "total": total, "size": HISTORY_PAGE},
        show_all=show_all,
        jobs=page.ctx.jobs.recent(),
        # by title, then name (two marts may share a title: never compare their stamps)
        marts=[
            (title, m)
            for title, _, m in sorted(
                ((table_vi(name), name, m) for name, m in page.snap.stamps.items()),
                key=lambda item: (item[0], item[1]),
            )
        ],
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
    # each upload its own folder: two uploads in the same second never share one (a job
    # imports its folder, and only its own files)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    folder = page.ctx.workspace.root / "uploads" / f"{stamp}-{uuid.uuid4().hex[:12]}"
    folder.mkdir(parents=True, exist_ok=False)
    saved: list[Path] = []
    for f in files:
        if not f.filename:
            continue
        name = _safe_name(f.filename)
        if not name.lower().endswith(ALLOWED):
            raise HTTPException(
                400, "Định dạng tệp không được hỗ trợ (chỉ csv, xlsx, parquet, xml)."
            )
        target = folder / name
        if target.exists():
            raise HTTPException(400, "Hai tệp cùng tên trong một lần tải lên.")
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
    page.audit("import_upload", "upload", rows=len(saved), detail="; ".join(p.name for p in saved))
    return RedirectResponse(f"/imports?job={job.id}", status_code=303)


def _import(
    cache: MartCache, db: OperationalDB, username: str, role: str, folder: Path, job: Job
) -> dict[str, Any]:
    from baophu.ingest.importer import import_paths

    def progress(step: str, done: int, total: int) -> None:
        table, _, name = step.partition(": ")
        if step == "done":
            job.progress = f"xong ({done}/{total} tệp)"
        else:
            job.progress = f"{table_vi(table)}: {name} ({done}/{total})"

    with writable_store(cache) as store:
        result = import_paths(store, [folder], cache.workspace.rejects_dir, progress=progress)
    out = result.as_dict()
    db.audit(
        username,
        "import",
        "workspace",
        role=role,
        rows=sum(f.rows_imported for f in result.files),
        detail=f"lô {result.batch_id}; "
        + ("đã ghi vào dữ liệu" if result.committed else "không ghi, giữ dữ liệu cũ")
        + f"; {len(result.files)} tệp"
        + (f"; lỗi: {_vi(result.error_vi or result.error)}" if result.error else ""),
    )
    if not result.committed:
        raise JobFailed(_vi(result.error_vi or result.error or "nhập thất bại"))
    return out


@router.post("/imports/recompute")
def recompute(page: Annotated[Page, Depends(current)]) -> Response:
    """Run the declared pipeline on the imported data: every stale step, in order."""
    require_role(page.scope, IMPORT_ROLES)
    cache, db = page.ctx.marts, page.ctx.db

    def work(job: Job) -> dict[str, Any]:
        from baophu.engine.pipeline import Inputs, run_pipeline
        from baophu.operational.claim_reviews import claim_reviews_table
        from baophu.operational.manual_targets import manual_targets_table
        from baophu.operational.outcomes import last_outcomes_table

        inputs = Inputs(
            manual_targets=manual_targets_table(db),
            field_outcomes=last_outcomes_table(db),
            claim_outcomes=claim_reviews_table(db),
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


def _rejects_file(page: Page, name: str | None) -> tuple[Path, str | None]:
    """The rejects file named ``name`` in the workspace's rejects folder and the table its
    import was for (from the snapshot history; None when not known)."""
    raw = params.text(name, "tệp", max_length=200, required=True)
    assert raw is not None
    folder = page.ctx.workspace.rejects_dir.resolve()
    path = (folder / Path(raw).name).resolve()
    if path.parent != folder or not path.exists() or path.suffix != ".csv":
        raise HTTPException(404)
    table = None
    if page.snap.has_table("_snapshots"):
        for r in page.snap.rows(
            "SELECT table_name, rejects_path FROM _snapshots WHERE rejects_path LIKE ?",
            [f"%{path.name}"],
        ):
            if Path(str(r["rejects_path"])).name == path.name:
                table = r["table_name"]
                break
    return path, table


@router.get("/imports/rejects")
def rejects(page: Annotated[Page, Depends(current)], file: str | None = None) -> Response:
    """The rejected rows and warnings of one file: personal data masked by what each column
    means (``rejects_view``), the reasons too."""
    require_role(page.scope, IMPORT_ROLES)
    path, table = _rejects_file(page, file)
    data = read_masked(path, table, full=page.scope.full_ids, limit=REJECTS_SHOWN)
    header, rows = vietnamese_view(data)
    page.audit("view", "rejects", rows=len(rows), detail=path.name)
    return page.render(
        "rejects.html",
        name=path.name,
        table_vi=table_vi(table),
        header=header,
        rows=rows,
        total=data.total,
        shown=len(rows),
    )


@router.get("/imports/rejects.csv")
def rejects_download(page: Annotated[Page, Depends(current)], file: str | None = None) -> Response:
    require_role(page.scope, IMPORT_ROLES)
    path, table = _rejects_file(page, file)
    content = masked_csv(path, table, full=page.scope.full_ids)
    page.audit("export", "rejects", detail=path.name)
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{path.name}"'},
    )
