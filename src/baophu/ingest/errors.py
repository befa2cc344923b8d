"""The error that stops an import: it names the file (and row and column where known) and
says what is wrong in Vietnamese and English."""

from __future__ import annotations

from pathlib import Path

from baophu.ingest.messages import printable, text


class ImportFileError(Exception):
    """A file cannot be imported at all; nothing of the import is kept."""

    def __init__(
        self,
        code: str,
        path: Path | str,
        *,
        row: int | None = None,
        column: str | None = None,
        **kwargs: object,
    ) -> None:
        self.code = code
        self.path = str(path)
        self.row = row
        self.column = column
        self.vi, self.en = text(code, row=row, column=column, **kwargs)
        super().__init__(self.message())

    def where(self) -> str:
        parts = [f"tệp/file {printable(Path(self.path).name, 200)}"]
        if self.row is not None:
            parts.append(f"dòng/row {self.row}")
        if self.column is not None:
            parts.append(f"cột/column «{printable(self.column, 80)}»")
        return ", ".join(parts)

    def message(self) -> str:
        return f"{self.where()}: {self.vi} / {self.en}"
