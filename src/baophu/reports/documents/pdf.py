"""Word documents to PDF (and back to text, for the checks) through headless LibreOffice.

One ``soffice`` process converts every file of a call, with a profile of its own in a
temporary folder, so conversions running side by side (the web, a command, a test) never
share LibreOffice's user profile lock.  LibreOffice missing is an error naming what to
install, never a silent skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from baophu.reports.documents.model import DocumentError

TIMEOUT_S = 240


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise DocumentError(
            "Không tìm thấy LibreOffice (soffice) để xuất PDF: cài libreoffice-writer-nogui / "
            "LibreOffice (soffice) not found for the PDF: install libreoffice-writer-nogui"
        )
    return found


def convert(paths: Sequence[Path], target: str, out_dir: Path) -> list[Path]:
    """Convert ``paths`` to ``target`` ("pdf", "txt:Text (encoded):UTF8") into ``out_dir``;
    returns the files written, in the order of ``paths``."""
    if not paths:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="baophu-soffice-") as profile:
        command = [
            soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(out_dir),
            *[str(p) for p in paths],
        ]
        env = {**os.environ, "HOME": profile}
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT_S, env=env, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise DocumentError(
                f"LibreOffice không chuyển xong sau {TIMEOUT_S} giây / LibreOffice did not "
                f"finish converting in {TIMEOUT_S} s"
            ) from exc
    suffix = "." + target.split(":", 1)[0]
    written = [out_dir / (Path(p).stem + suffix) for p in paths]
    missing = [p.name for p in written if not p.is_file()]
    if done.returncode != 0 or missing:
        detail = (done.stderr or done.stdout or "").strip()[-300:]
        raise DocumentError(
            f"LibreOffice không chuyển được {', '.join(missing) or 'tệp'} ({detail}) / "
            f"LibreOffice could not convert {', '.join(missing) or 'the files'} ({detail})"
        )
    return written


def to_pdf(paths: Sequence[Path], out_dir: Path | None = None) -> list[Path]:
    """PDF files beside the documents (or in ``out_dir``)."""
    if not paths:
        return []
    return convert(paths, "pdf", out_dir or Path(paths[0]).parent)


def to_text(path: Path) -> str:
    """The text LibreOffice reads from a document (what a test compares with the marts)."""
    with tempfile.TemporaryDirectory() as tmp:
        (out,) = convert([path], "txt:Text (encoded):UTF8", Path(tmp))
        return out.read_text(encoding="utf-8-sig")
