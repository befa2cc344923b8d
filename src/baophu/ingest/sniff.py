"""What a file really is, judged by its bytes rather than its name, and how its text is encoded.

A file called ``residents.csv`` may be a photo, a workbook renamed, a PDF, a ZIP archive, a
workbook locked with a password or a page of binary junk; its text may be UTF-8, UTF-16 without
a byte-order mark, Windows-1258, the older Vietnamese TCVN3 ("ABC") code or UTF-8 that was
read once as Latin-1 and saved again (``Nguyá»…n`` for ``Nguyễn``).  ``sniff`` says which, so
that a reader can read the file as what it is and a refusal can say, in Vietnamese and English,
what the file is — never by echoing its bytes.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from baophu.ingest.errors import ImportFileError
from baophu.vn.text import nfc

# How much of a file is looked at to judge it (the start of a file says what it is).
SNIFF_BYTES = 1 << 16

# The formats a table can be read from.
TABLE_KINDS = ("csv", "xlsx", "parquet")


@dataclass(frozen=True)
class Kind:
    """What a file is: ``code`` (csv, xlsx, parquet, or what it is when it holds no table)."""

    code: str
    vi: str
    en: str

    @property
    def is_table(self) -> bool:
        return self.code in TABLE_KINDS


CSV = Kind("csv", "tệp văn bản CSV", "a CSV text file")
XLSX = Kind("xlsx", "bảng tính Excel (.xlsx)", "an Excel workbook (.xlsx)")
PARQUET = Kind("parquet", "tệp Parquet", "a Parquet file")

# Leading bytes of formats that are not tables (or not tables we read).
_MAGIC: tuple[tuple[bytes, Kind], ...] = (
    (b"\x89PNG\r\n\x1a\n", Kind("png", "ảnh PNG", "a PNG image")),
    (b"\xff\xd8\xff", Kind("jpeg", "ảnh JPEG", "a JPEG image")),
    (b"GIF87a", Kind("gif", "ảnh GIF", "a GIF image")),
    (b"GIF89a", Kind("gif", "ảnh GIF", "a GIF image")),
    (b"BM", Kind("bmp", "ảnh BMP", "a BMP image")),
    (b"II*\x00", Kind("tiff", "ảnh TIFF", "a TIFF image")),
    (b"MM\x00*", Kind("tiff", "ảnh TIFF", "a TIFF image")),
    (b"%PDF-", Kind("pdf", "tài liệu PDF", "a PDF document")),
    (b"\x1f\x8b", Kind("gzip", "tệp nén GZIP", "a GZIP archive")),
    (b"Rar!\x1a\x07", Kind("rar", "tệp nén RAR", "a RAR archive")),
    (b"7z\xbc\xaf\x27\x1c", Kind("7z", "tệp nén 7-Zip", "a 7-Zip archive")),
    (b"{\\rtf", Kind("rtf", "văn bản RTF (Word)", "an RTF (Word) document")),
    (b"SQLite format 3\x00", Kind("sqlite", "cơ sở dữ liệu SQLite", "an SQLite database")),
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_ENCRYPTED = Kind(
    "encrypted",
    "bảng tính Excel được bảo vệ bằng mật khẩu; hãy mở bằng Excel, gỡ mật khẩu "
    "(Tệp > Thông tin > Bảo vệ sổ làm việc) rồi lưu lại",
    "a password-protected Excel workbook; open it in Excel, remove the password "
    "(File > Info > Protect Workbook) and save it again",
)
_XLS = Kind(
    "xls",
    "bảng tính Excel 97-2003 (.xls); hãy mở bằng Excel và lưu thành .xlsx",
    "an Excel 97-2003 workbook (.xls); open it in Excel and save it as .xlsx",
)
_OLE_OTHER = Kind(
    "ole", "tài liệu Office cũ (Word/PowerPoint 97-2003)", "a legacy Office document (97-2003)"
)
_HTML = Kind(
    "html",
    "trang HTML (nhiều phần mềm xuất tệp «Excel» dạng HTML); hãy mở bằng Excel và lưu thành .xlsx",
    "an HTML page (some programs export «Excel» files as HTML); open it in Excel and save it "
    "as .xlsx",
)
_BINARY = Kind(
    "binary",
    "dữ liệu nhị phân, không phải bảng dữ liệu",
    "binary data, not a table",
)


def _zip_kind(path: Path) -> Kind:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype").decode("ascii", "replace") if "mimetype" in names else ""
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return Kind("zip_broken", "tệp nén ZIP bị hỏng", "a damaged ZIP archive")
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        if "xl/workbook.bin" in names:
            return Kind(
                "xlsb",
                "bảng tính Excel nhị phân (.xlsb); hãy lưu lại thành .xlsx",
                "a binary Excel workbook (.xlsb); save it as .xlsx",
            )
        return XLSX
    if "word/document.xml" in names:
        return Kind("docx", "văn bản Word (.docx)", "a Word document (.docx)")
    if any(n.startswith("ppt/") for n in names):
        return Kind("pptx", "bản trình chiếu PowerPoint", "a PowerPoint presentation")
    if "spreadsheet" in mimetype:
        return Kind(
            "ods",
            "bảng tính OpenDocument (.ods); hãy lưu lại thành .xlsx",
            "an OpenDocument spreadsheet (.ods); save it as .xlsx",
        )
    if mimetype.startswith("application/vnd.oasis"):
        return Kind("odf", "tài liệu OpenDocument", "an OpenDocument file")
    return Kind(
        "zip", "tệp nén ZIP; hãy giải nén rồi nhập từng tệp", "a ZIP archive; unzip it first"
    )


def _ole_kind(path: Path) -> Kind:
    # The directory of a compound file names its streams in UTF-16; an encrypted OOXML file
    # keeps the workbook in "EncryptedPackage" next to "EncryptionInfo".
    data = path.read_bytes() if path.stat().st_size <= 64 << 20 else b""
    if (
        "EncryptionInfo".encode("utf-16-le") in data
        or "EncryptedPackage".encode("utf-16-le") in data
    ):
        return _ENCRYPTED
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return _XLS
    return _OLE_OTHER


def _looks_binary(head: bytes) -> bool:
    """Many NUL bytes or control characters: not text (UTF-16 is recognised before this; a
    stray NUL inside a text export is the validator's business)."""
    if head.count(b"\x00") > max(2, len(head) // 200):
        return True
    control = sum(1 for b in head if 0 < b < 32 and b not in (9, 10, 12, 13))
    return control > max(2, len(head) // 100)


def utf16_without_bom(head: bytes) -> str | None:
    """ "utf-16-le" / "utf-16-be" when every other byte of mostly-ASCII text is NUL."""
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 8:
        return None
    even_nul = sum(1 for b in sample[0::2] if b == 0)
    odd_nul = sum(1 for b in sample[1::2] if b == 0)
    half = len(sample) // 2
    if odd_nul > 0.6 * half and even_nul < 0.1 * half:
        return "utf-16-le"
    if even_nul > 0.6 * half and odd_nul < 0.1 * half:
        return "utf-16-be"
    return None


def sniff(path: Path) -> Kind:
    """What ``path`` holds, by its content; raises ``ImportFileError`` when it is empty."""
    if not path.exists():
        raise ImportFileError("file_missing", path)
    if path.stat().st_size == 0:
        raise ImportFileError("file_empty", path)
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if head.startswith(b"PAR1"):
        return PARQUET
    if head.startswith(_ZIP):
        return _zip_kind(path)
    if head.startswith(_OLE):
        return _ole_kind(path)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            if magic == b"BM" and not _looks_binary(head):
                break  # a text file that happens to start with "BM"
            return kind
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")) or utf16_without_bom(head):
        return CSV
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<table")):
        return _HTML
    if _looks_binary(head):
        return _BINARY
    return CSV


def refuse_unless_table(path: Path, kind: Kind) -> None:
    """Refuse a file that holds no table we read, saying what it is."""
    if kind.is_table:
        return
    if kind.code == "encrypted":
        raise ImportFileError("file_password", path)
    if kind.code == "zip_broken" and path.suffix.lower() in (".xlsx", ".xlsm"):
        raise ImportFileError("file_corrupt", path, detail="tệp nén ZIP hỏng / damaged ZIP")
    raise ImportFileError("file_not_table", path, what_vi=kind.vi, what_en=kind.en)


def suffix_notice(path: Path, kind: Kind) -> tuple[str, str] | None:
    """A notice when the name says one format and the content another (read as the content)."""
    expected = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
    expected[".parquet"] = "parquet"
    claimed = expected.get(path.suffix.lower())
    if claimed is None or claimed == kind.code:
        return None
    return (
        f"Tệp có đuôi {path.suffix} nhưng nội dung là {kind.vi}; đã đọc theo nội dung",
        f"The file is named {path.suffix} but holds {kind.en}; read as what it holds",
    )


# ------------------------------------------------------------------------------ text encodings

# TCVN 5712:1993 (VN1; its lowercase half is the "ABC" / TCVN3 code of the .Vn fonts), bytes
# 0x80-0xFF.  Tone marks at 0xB0-0xB4 are combining characters.
_TCVN3_HIGH = (
    "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ"
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽéẹềểễếệìỉỄẾỒĩíịò"
    "ỔỏõóọồổỗốộờởỡớợùỖủũúụừửữứựỳỷỹýỵỐ"
)
assert len(_TCVN3_HIGH) == 128
_TCVN3_TABLE = {0x80 + i: ch for i, ch in enumerate(_TCVN3_HIGH)}

_VI_LOWER = set(
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
_VI_LETTERS = _VI_LOWER | {c.upper() for c in _VI_LOWER}


def decode_tcvn3(raw: bytes) -> str:
    """Bytes in the TCVN3 ("ABC") code as Unicode text (NFC)."""
    text = "".join(_TCVN3_TABLE.get(b, chr(b)) for b in raw)
    return nfc(text)


def _oddities(text: str) -> int:
    """How un-Vietnamese a decoded text looks: characters outside Vietnamese letters, digits and
    punctuation, and capitals with diacritics inside lower-case words (``NguyÔn``)."""
    odd = 0
    previous = ""
    for ch in text:
        if ord(ch) >= 0x80:
            foreign = ch not in _VI_LETTERS and unicodedata.category(ch) not in ("Mn", "Zs", "Pd")
            capital_inside_word = ch.isupper() and previous.islower()
            odd += foreign or capital_inside_word
        previous = ch
    return odd


def legacy_encoding(raw: bytes) -> str:
    """For bytes that are not UTF-8: "cp1258" or "tcvn3", whichever reads as Vietnamese."""
    sample = raw[:SNIFF_BYTES]
    try:
        as_1258 = nfc(sample.decode("cp1258"))
    except UnicodeDecodeError:
        return "tcvn3"
    return "tcvn3" if _oddities(decode_tcvn3(sample)) < _oddities(as_1258) else "cp1258"


# UTF-8 read as Windows-1252/Latin-1 and saved again: a lead byte of a Vietnamese letter
# (Ã Ä Æ for U+00C0-U+01FF, á for U+1E00-U+1EFF) followed by a continuation byte.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00c6\u00e1][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
MOJIBAKE_PATTERN = _MOJIBAKE.pattern


def repair_mojibake(value: str) -> str | None:
    """The text ``value`` was before UTF-8 was read as Latin-1, or None if it was not that."""
    if not _MOJIBAKE.search(value):
        return None
    for codec in ("cp1252", "latin-1"):
        try:
            fixed = value.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if fixed != value:
            return nfc(fixed)
    return None


def tcvn3_reading(value: str) -> str | None:
    """The text a cell shown in a TCVN3 (".Vn") font really holds, or None if it is not that:
    legacy workbooks keep TCVN3 bytes as Latin-1 characters (``NguyÔn`` for ``Nguyễn``)."""
    if value.isascii():
        return None
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:
        return None
    decoded = decode_tcvn3(raw)
    if _oddities(value) > 0 and _oddities(decoded) == 0:
        return decoded
    return None
