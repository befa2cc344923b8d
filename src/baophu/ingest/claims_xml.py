"""Reader of the Ministry of Health's claims XML files (QĐ 130/QĐ-BYT, QĐ 4750/QĐ-BYT).

A file is a ``GIAMDINHHS`` envelope: ``THONGTINDONVI/MACSKCB``, then ``THONGTINHOSO`` with
``SOLUONGHOSO`` and ``DANHSACHHOSO/HOSO*``; each ``HOSO`` (one claim) holds ``FILEHOSO``
elements, each a ``LOAIHOSO`` (XML1 … XML15) and a ``NOIDUNGFILE``: that table's own XML
document, base64-encoded.  XML1 (``TONG_HOP``) becomes a row of ``claims``, every
``CHI_TIET_THUOC`` of XML2 a row of ``claim_drugs`` and every ``CHI_TIET_DVKT`` of XML3 a row
of ``claim_services``; the other tables are counted and left out.

The file is streamed, each record's tables decoded and parsed in batches, and the rows
written to one temporary Parquet file per table, a row group at a time, so a facility's month
never sits in memory at once.  The importer then reads those like any Parquet extract: the
same contracts, checks, rejects and all-or-nothing batch.  A row's number is its record's
position in the file (the n-th ``HOSO``).  Lines carry the facility of their record's XML1
(or of the envelope, ``MACSKCB``), which the tables themselves do not repeat.

Two readers give the same rows.  A file in the plain shape that hospital systems write (the
envelope's elements in their order, ``HOSO``/``FILEHOSO``/``LOAIHOSO``/``NOIDUNGFILE`` without
attributes, comments or entities, base64 without stray characters) is read in 8 MiB pieces by
regular expressions that accept only well-formed XML of that shape, and its head and tail
(everything outside ``DANHSACHHOSO``) by lxml.  Anything else, including every broken file,
is read again from the start by ``lxml.etree.iterparse`` (entities never resolved, no DTD, no
network, text nodes of any size), which reads what is legal and names what is not.

A file that is not well-formed, not a ``GIAMDINHHS`` envelope, has a ``NOIDUNGFILE`` that is not
base64 or a table that is not well-formed XML, or whose ``SOLUONGHOSO`` disagrees with its
records, cannot be imported: ``ImportFileError`` names the file, the record and its MA_LK.
"""

from __future__ import annotations

import binascii
import operator
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from operator import methodcaller
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pybase64
from lxml import etree

from baophu.contracts import CONTRACTS, Contract
from baophu.ingest.claims_xml_tables import (
    RECORD,
    SAFE_XML,
    XML_TABLES,
    DocumentError,
    TableReader,
    XmlTable,
    columns_of,
)
from baophu.ingest.errors import ImportFileError
from baophu.ingest.forms.edeclaration import is_edeclaration
from baophu.ingest.readers import RawFile, file_hash

BY_KIND = {t.kind: t for t in XML_TABLES}
BY_TABLE = {t.table: t for t in XML_TABLES}
BATCH_RECORDS = 2_000  # records decoded and read together
FLUSH_ROWS = 100_000  # rows per row group of the temporary files
_MA_LK = re.compile(rb"<MA_LK>\s*([^<]*?)\s*</MA_LK>")
PIECE_BYTES = 8 << 20  # bytes read at a time by the plain reader
_WS = rb"[ \t\r\n]*+"
_KIND = _WS + rb"<LOAIHOSO>" + _WS + rb"([0-9A-Za-z]++)" + _WS + rb"</LOAIHOSO>" + _WS
# the records of a piece with the text of every NOIDUNGFILE taken out (the skeleton)
_SKELETON = re.compile(
    rb"(?:"
    + _WS
    + rb"<HOSO>"
    + _WS
    + rb"(?:<FILEHOSO>"
    + _KIND
    + rb"<NOIDUNGFILE></NOIDUNGFILE>"
    + _WS
    + rb"</FILEHOSO>"
    + _WS
    + rb")*+</HOSO>)*+"
    + _WS
)
_SKELETON_ITEMS = re.compile(rb"<HOSO>|<LOAIHOSO>" + _WS + rb"([0-9A-Za-z]++)")
_CONTENT_TAG = b"NOIDUNGFILE>"
_KIND_NAMES = {t.kind.encode(): t.kind for t in XML_TABLES}
_ENDS_WITH_CLOSING = methodcaller("endswith", b"</")
_IS_EMPTY = operator.not_
_CONTENT_GAP = b"NOIDUNGFILE></NOIDUNGFILE>"
_HEAD_VALUE = {
    tag: re.compile(rb"<" + tag.encode() + rb">([^<&]*)</" + tag.encode() + rb">")
    for tag in ("MACSKCB", "SOLUONGHOSO")
}
_LIST_OPEN, _LIST_CLOSE = b"<DANHSACHHOSO>", b"</DANHSACHHOSO>"


class _NotPlain(Exception):
    """The file is not in the plain shape: the lxml reader reads it (and names its faults)."""


def is_claims_xml(path: Path) -> bool:
    """An ``.xml`` file that is not an e-declaration dossier (root ``Hoso``, read by
    ``ingest.forms``): a claims submission, or refused as one naming the root it found."""
    return path.suffix.lower() == ".xml" and not is_edeclaration(path)


def plan(path: Path, forced: str | None) -> list[tuple[Path, Contract, dict[str, str]]]:
    """The claim tables one XML file fills, with their column mapping (for the importer)."""
    out = []
    for spec in XML_TABLES:
        if forced is not None and forced != spec.table:
            continue
        contract = CONTRACTS[spec.table]
        out.append((path, contract, columns_of(contract)[1]))
    if not out:
        raise ImportFileError("unknown_table", path, headers=", ".join(BY_TABLE))
    return out


@dataclass
class XmlRawFile(RawFile):
    """A table of an XML file, as the temporary Parquet file it was streamed into; rows are
    numbered by their record (HOSO) in the XML file."""

    keep: Any = None  # the temporary folder, removed when the last reference goes

    def chunks(self, size: int) -> Iterator[RawFile]:
        for piece in super().chunks(size):
            records = piece.data.column(RECORD).combine_chunks()
            yield replace(piece, data=piece.data.drop_columns([RECORD]), rows=records)


# Parsed files waiting for the importer to take their tables: path -> table -> file.
_PARSED: dict[str, dict[str, XmlRawFile]] = {}
_MAX_PARSED = 64


def read_table(path: Path, table: str) -> RawFile:
    """One claim table of an XML file; the file is parsed once, on the first table asked."""
    key = str(path.resolve())
    entry = _PARSED.get(key)
    digest = file_hash(path) if path.exists() else ""
    if entry is None or any(raw.file_hash != digest for raw in entry.values()):
        entry = parse_file(path, digest)
        while len(_PARSED) >= _MAX_PARSED:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = entry
    raw = entry.pop(table)
    if not entry:
        _PARSED.pop(key, None)
    return raw


class _TableWriter:
    """Rows of one table, a batch at a time, written as row groups of a temporary file."""

    def __init__(self, spec: XmlTable, folder: Path) -> None:
        self.reader = TableReader(spec)
        self.path = folder / f"{spec.table}.parquet"
        self.writer = pq.ParquetWriter(
            self.path,
            self.reader.schema,
            compression="none",
            use_dictionary=False,
            write_statistics=False,
        )
        self.parts: list[pa.Table] = []
        self.held = 0

    def add(self, rows: pa.Table) -> None:
        self.parts.append(rows)
        self.held += rows.num_rows
        if self.held >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.writer.write_table(pa.concat_tables(self.parts))
        self.parts, self.held = [], 0

    def close(self) -> None:
        self.flush()
        self.writer.close()


@dataclass
class _Pending:
    """Decoded documents of a batch of records, by table."""

    records: list[int]
    docs: dict[str, tuple[list[int], list[bytes]]]  # kind -> (records, documents)

    @classmethod
    def empty(cls) -> _Pending:
        return cls([], {t.kind: ([], []) for t in XML_TABLES})


class _Parse:
    """One pass over one XML file."""

    def __init__(self, path: Path, folder: Path) -> None:
        self.path = path
        self.writers = {t.kind: _TableWriter(t, folder) for t in XML_TABLES}
        self.envelope_facility: str | None = None
        self.declared: int | None = None
        self.records = 0
        self.other_tables: dict[str, int] = {}
        self.pending = _Pending.empty()
        self.head = b""

    # -- errors ------------------------------------------------------------------------
    def _fail(self, code: str, record: int | None, **kwargs: Any) -> ImportFileError:
        return ImportFileError(code, self.path, row=record, **kwargs)

    def _reset(self) -> None:
        """Back to the start of the file, nothing read (before the lxml reader's pass)."""
        folder = next(iter(self.writers.values())).path.parent
        for writer in self.writers.values():
            writer.writer.close()
        self.writers = {t.kind: _TableWriter(t, folder) for t in XML_TABLES}
        self.envelope_facility = None
        self.declared = None
        self.records = 0
        self.other_tables = {}
        self.pending = _Pending.empty()

    def run(self) -> None:
        try:
            self._run_plain()
        except _NotPlain:
            self._reset()
            self._run_lxml()
            return
        self._finish()

    # -- the envelope, plain shape ------------------------------------------------------
    def _run_plain(self) -> None:
        with open(self.path, "rb") as handle:
            buffer = handle.read(PIECE_BYTES)
            first = buffer.find(b"<HOSO>")
            if first < 0:
                raise _NotPlain
            self._plain_head(buffer[:first])
            buffer = buffer[first:]
            while True:
                end = buffer.rfind(b"</HOSO>")
                if end >= 0:
                    end += len(b"</HOSO>")
                    self._plain_records(buffer[:end])
                    buffer = buffer[end:]
                more = handle.read(PIECE_BYTES)
                if not more:
                    break
                buffer += more
        self._plain_tail(buffer)

    def _plain_head(self, head: bytes) -> None:
        """What comes before the first record: the declaration, ``GIAMDINHHS``,
        ``THONGTINDONVI`` and ``THONGTINHOSO`` up to the list; kept for ``_plain_tail``."""
        if (
            b"<!" in head
            or b"xmlns" in head
            or b"<HOSO" in head
            or head.count(b"<?") > (1 if head.lstrip(b"\xef\xbb\xbf").startswith(b"<?xml") else 0)
            or not head.rstrip(b" \t\r\n").endswith(_LIST_OPEN)
            or head.count(_LIST_OPEN) != 1
        ):
            raise _NotPlain
        values = {tag: pattern.findall(head) for tag, pattern in _HEAD_VALUE.items()}
        if any(len(found) > 1 for found in values.values()):
            raise _NotPlain
        facility = values["MACSKCB"][0].strip() if values["MACSKCB"] else b""
        self.envelope_facility = facility.decode("utf-8", "replace") or None
        count = values["SOLUONGHOSO"][0].strip() if values["SOLUONGHOSO"] else b""
        self.declared = int(count) if count.isdigit() else None
        self.head = head

    def _plain_tail(self, tail: bytes) -> None:
        """What comes after the last record; head and tail together must be a well-formed
        ``GIAMDINHHS`` document (an empty list), as lxml reads it."""
        if (
            b"<!" in tail
            or b"<?" in tail
            or b"<HOSO" in tail
            or b"MACSKCB" in tail
            or b"SOLUONGHOSO" in tail
            or not tail.lstrip(b" \t\r\n").startswith(_LIST_CLOSE)
        ):
            raise _NotPlain
        try:
            root = etree.fromstring(self.head + tail, etree.XMLParser(**SAFE_XML))
        except etree.XMLSyntaxError as exc:
            raise _NotPlain from exc
        if root.tag != "GIAMDINHHS":
            raise _NotPlain

    def _plain_records(self, piece: bytes) -> None:
        """Whole ``HOSO`` records, one after the other.  Cut at every ``NOIDUNGFILE>``, the
        piece alternates between markup and a table's base64 text followed by ``</``; the
        markup with the texts taken out must be records of the plain shape, and each text must
        be base64 (so it holds no markup): then the piece is well-formed."""
        parts = piece.split(_CONTENT_TAG)
        if len(parts) % 2 == 0:
            raise _NotPlain
        contents = parts[1::2]
        if not all(map(_ENDS_WITH_CLOSING, contents)):
            raise _NotPlain
        skeleton = _CONTENT_GAP.join(parts[0::2])
        if not _SKELETON.fullmatch(skeleton):
            raise _NotPlain
        items = _SKELETON_ITEMS.findall(skeleton)  # b"" opens a record, else its kind
        kinds = [_KIND_NAMES.get(k) or k.decode("ascii").upper() for k in items if k]
        opens = np.fromiter(map(_IS_EMPTY, items), bool, len(items))
        # each table's record: the records opened before it, counted from this piece's first
        record_of = (self.records + np.cumsum(opens))[~opens].tolist()
        first, last = self.records + 1, self.records + int(opens.sum())
        pending = self.pending
        pending.records.extend(range(first, last + 1))
        self.records = last
        for name, into in pending.docs.items():
            chosen = [i for i, kind in enumerate(kinds) if kind == name]
            if not chosen:
                continue
            into[0].extend(record_of[i] for i in chosen)
            into[1].extend(_decode_plain(contents[i]) for i in chosen)
        for kind in kinds:
            if kind not in pending.docs:
                self.other_tables[kind] = self.other_tables.get(kind, 0) + 1
        if len(pending.records) >= BATCH_RECORDS:
            self._flush_batch()

    # -- the envelope, through lxml -------------------------------------------------------
    def _run_lxml(self) -> None:
        events = etree.iterparse(
            str(self.path),
            events=("end",),
            tag=("HOSO", "MACSKCB", "SOLUONGHOSO"),
            **SAFE_XML,
        )
        try:
            for _, element in events:
                tag = element.tag
                if tag == "HOSO":
                    if self.records == 0:
                        self._check_root(element)
                    self.records += 1
                    self._record(element, self.records)
                    element.clear(keep_tail=False)
                    parent = element.getparent()
                    if parent is not None:
                        while element.getprevious() is not None:
                            del parent[0]
                elif tag == "MACSKCB":
                    self.envelope_facility = (element.text or "").strip() or None
                elif tag == "SOLUONGHOSO":
                    text = (element.text or "").strip()
                    self.declared = int(text) if text.isdigit() else None
            if self.records == 0 and events.root is not None:
                self._check_root(events.root)
        except etree.XMLSyntaxError as exc:
            line = exc.position[0] if exc.position else "?"
            raise self._fail("xml_not_well_formed", None, line=line, detail=str(exc)[:200]) from exc
        self._finish()

    def _finish(self) -> None:
        self._flush_batch()
        if self.records == 0:
            raise self._fail("xml_no_records", None)
        if self.declared is not None and self.declared != self.records:
            raise self._fail("xml_record_count", None, declared=self.declared, found=self.records)
        for writer in self.writers.values():
            writer.close()

    def _check_root(self, element: Any) -> None:
        root = element.getroottree().getroot()
        if etree.QName(root).localname != "GIAMDINHHS":
            raise self._fail("xml_not_claims", None, root=root.tag)

    def _record(self, hoso: Any, record: int) -> None:
        docs: list[tuple[str, str | None]] = []
        for item in hoso:
            if item.tag != "FILEHOSO":
                continue
            kind = item.findtext("LOAIHOSO")
            content = item.findtext("NOIDUNGFILE")
            if kind is None or content is None:
                raise self._fail("xml_missing_content", record, ma_lk=self._ma_lk(hoso))
            docs.append((kind.strip().upper(), content))
        for kind, content in docs:
            if kind not in BY_KIND:
                self.other_tables[kind] = self.other_tables.get(kind, 0) + 1
                continue
            assert content is not None
            try:
                data = _decode(content)
            except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
                raise self._fail(
                    "xml_bad_base64",
                    record,
                    ma_lk=self._ma_lk(hoso),
                    kind=kind,
                    detail=str(exc)[:120],
                ) from exc
            self.pending.docs[kind][0].append(record)
            self.pending.docs[kind][1].append(data)
        self.pending.records.append(record)
        if len(self.pending.records) >= BATCH_RECORDS:
            self._flush_batch()

    def _ma_lk(self, hoso: Any) -> str:
        """MA_LK of a record, read from its XML1 where it decodes (for error messages)."""
        for item in hoso:
            if (item.findtext("LOAIHOSO") or "").strip().upper() == "XML1":
                try:
                    data = binascii.a2b_base64((item.findtext("NOIDUNGFILE") or "").encode())
                except (binascii.Error, ValueError, UnicodeEncodeError):
                    return "?"
                found = _MA_LK.search(data)
                if found:
                    return found.group(1).decode("utf-8", "replace")
        return "?"

    # -- the tables of a batch of records ------------------------------------------------
    def _flush_batch(self) -> None:
        pending = self.pending
        if not pending.records:
            return
        facility: dict[int, str | None] = {}  # record -> MA_CSKCB of its XML1
        claims: pa.Table | None = None
        for spec in XML_TABLES:  # XML1 first: lines take their record's facility
            records, documents = pending.docs[spec.kind]
            if not records:
                continue
            writer = self.writers[spec.kind]
            try:
                rows = writer.reader.rows(
                    records, documents, lambda r: facility.get(r, self.envelope_facility)
                )
            except DocumentError as exc:
                found = _ma_lk_in(claims, exc.record) or self._ma_lk_of(
                    exc.record, records, documents
                )
                raise self._fail(exc.code, exc.record, ma_lk=found, **exc.kwargs) from exc
            if spec.kind == "XML1":
                claims = rows
                where = pc.utf8_trim_whitespace(rows.column("MA_CSKCB"))
                where = pc.if_else(pc.equal(where, ""), pa.scalar(None, pa.string()), where)
                if self.envelope_facility is not None:
                    where = pc.fill_null(where, self.envelope_facility)
                facility.update(
                    zip(rows.column(RECORD).to_pylist(), where.to_pylist(), strict=True)
                )
            writer.add(rows)
        self.pending = _Pending.empty()

    def _ma_lk_of(self, record: int, records: list[int], documents: list[bytes]) -> str:
        for number, data in zip(records, documents, strict=True):
            if number == record:
                found = _MA_LK.search(data)
                if found:
                    return found.group(1).decode("utf-8", "replace")
        return "?"


def _decode_plain(text: bytes) -> bytes:
    """A NOIDUNGFILE text cut from a plain piece (followed by the closing tag's ``</``):
    strict base64, line breaks allowed; anything else sends the file to the lxml reader."""
    try:
        return pybase64.b64decode(memoryview(text)[:-2], validate=True)
    except (binascii.Error, ValueError):
        try:
            return pybase64.b64decode(b"".join(text[:-2].split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _NotPlain from exc  # the lxml reader names the record


def _ma_lk_in(claims: pa.Table | None, record: int) -> str | None:
    """MA_LK of a record's XML1 among the claims read from its batch (for error messages)."""
    if claims is None:
        return None
    found = claims.filter(pc.equal(claims.column(RECORD), record)).column("MA_LK").to_pylist()
    return (found[0] or "?").strip() if found else None


def _decode(content: str) -> bytes:
    """Strict base64 (a character outside the alphabet is an error, not skipped); line
    breaks and spaces inside the text are allowed."""
    raw = content.encode("ascii")
    try:
        return binascii.a2b_base64(raw, strict_mode=True)
    except binascii.Error:
        return binascii.a2b_base64(b"".join(raw.split()), strict_mode=True)


def parse_file(path: Path, digest: str | None = None) -> dict[str, XmlRawFile]:
    """Stream one XML file into temporary Parquet files, one per claim table; ``digest``:
    the file's SHA-256 when the caller has it (the importer identifies every file it reads by
    it), else taken here."""
    if not path.exists():
        raise ImportFileError("file_missing", path)
    if path.stat().st_size == 0:
        raise ImportFileError("file_empty", path)
    folder = tempfile.TemporaryDirectory(prefix="baophu-xml-")
    parse = _Parse(path, Path(folder.name))
    try:
        parse.run()
    except BaseException:
        for writer in parse.writers.values():
            writer.writer.close()
        folder.cleanup()
        raise
    digest = digest or file_hash(path)
    notices: list[tuple[str, str]] = []
    if parse.other_tables:
        listed = ", ".join(f"{k} ({n})" for k, n in sorted(parse.other_tables.items()))
        notices.append(
            (
                f"Các bảng khác không được nhập: {listed}",
                f"Other tables are not imported: {listed}",
            )
        )
    out: dict[str, XmlRawFile] = {}
    for spec in XML_TABLES:
        writer = parse.writers[spec.kind]
        handle = pq.ParquetFile(writer.path)
        out[spec.table] = XmlRawFile(
            path=path,
            file_format="xml",
            headers=list(writer.reader.headers),
            data=handle.schema_arrow.empty_table(),
            rows=pa.array([], pa.int64()),
            typed=True,
            file_hash=digest,
            notices=list(notices),
            parquet=handle,
            keep=folder,
        )
    return out
