"""Rows of the claim tables from the decoded documents of a batch of XML records.

Each ``NOIDUNGFILE`` decodes to a small XML document: XML1 is one ``TONG_HOP`` of leaf
elements, XML2 and XML3 a list of ``CHI_TIET_THUOC`` / ``CHI_TIET_DVKT`` of leaf elements.
Documents in that plain shape (UTF-8, elements without attributes, text with the five
predefined entities or character references) are recognised by one regular expression over
the whole batch — a grammar that accepts only well-formed XML — and their values pulled out
and pivoted into columns with Arrow, without building a tree: the fast path.  Where every row
of the batch has the same elements in the same order (one hospital system's output), the
values come out as one flat list, row after row, and each column is a strided slice of it.
Any other document (CDATA, comments, attributes, another encoding, or something malformed)
goes through lxml one document at a time, which reads what is legal and names what is not.
Both paths give the same rows.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import methodcaller

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from lxml import etree

from baophu.contracts import CONTRACTS, Contract

RECORD = "__record"  # the HOSO number of each row
# lxml's options for every claims document: entities never resolved, no DTD, no network, text
# nodes of any size, comments and processing instructions dropped
SAFE_XML = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": True,
    "remove_comments": True,
    "remove_pis": True,
}
_TAG = re.compile(r"[A-Z][A-Z0-9_]*")
_WS = rb"[ \t\r\n]*+"  # XML's white space (not Python's \s, which takes \f and \v too)
_OPENING = re.compile(rb"<([A-Z][A-Z0-9_]*)[ \t\r\n]*/?>")
_TEXT = rb"[^<&\x00-\x08\x0b\x0c\x0e-\x1f]*+"
_REFERENCE = rb"&(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});"
_LEAVES = (
    rb"(?:"
    + _WS
    + rb"(?:<([A-Z][A-Z0-9_]*)>"
    + _TEXT
    + rb"(?:"
    + _REFERENCE
    + _TEXT
    + rb")*+</\1>|<[A-Z][A-Z0-9_]*"
    + _WS
    + rb"/>))*+"
    + _WS
)
# A UTF-8 XML declaration (the only one the fast path reads), with a byte-order mark before it
_END = b"\x00"  # after each document of a batch
_ROW_MARK = b"\x01"  # where a row was, in a batch's skeleton (never in an XML document)
_QUOTED_UTF8 = rb"""(?:"(?i:utf-?8)"|'(?i:utf-?8)')"""
_UTF8_DECLARATION = (
    rb"<\?xml[ \t\r\n]++version[ \t\r\n]*+=[ \t\r\n]*+"
    rb"(?:\"1\.[0-9]++\"|'1\.[0-9]++')"
    rb"(?:[ \t\r\n]++encoding[ \t\r\n]*+=[ \t\r\n]*+" + _QUOTED_UTF8 + rb")?"
    rb"(?:[ \t\r\n]++standalone[ \t\r\n]*+=[ \t\r\n]*+(?:\"(?:yes|no)\"|'(?:yes|no)'))?"
    rb"[ \t\r\n]*+\?>"
)
_DECLARATION = re.compile(rb"(?:\xef\xbb\xbf)?" + _UTF8_DECLARATION + rb"|\xef\xbb\xbf")
# what may open a document before its root: a byte-order mark, then a UTF-8 declaration
_PROLOGUE = rb"(?:\xef\xbb\xbf)?(?:" + _UTF8_DECLARATION + rb")?"


@dataclass(frozen=True)
class XmlTable:
    """One table of the standard as it sits inside ``NOIDUNGFILE``."""

    kind: str  # LOAIHOSO
    table: str  # canonical table
    root: str  # root element of the decoded document
    listing: str | None  # the list element between root and rows (XML2, XML3)
    record: str  # element holding one row


XML_TABLES = (
    XmlTable("XML1", "claims", "TONG_HOP", None, "TONG_HOP"),
    XmlTable(
        "XML2", "claim_drugs", "CHITIEU_CHITIET_THUOC", "DSACH_CHI_TIET_THUOC", "CHI_TIET_THUOC"
    ),
    XmlTable(
        "XML3",
        "claim_services",
        "CHITIEU_CHITIET_DVKT_VTYT",
        "DSACH_CHI_TIET_DVKT",
        "CHI_TIET_DVKT",
    ),
)


class DocumentError(Exception):
    """A decoded document that cannot be read; ``claims_xml`` names the file and MA_LK."""

    def __init__(self, code: str, record: int, **kwargs: object) -> None:
        super().__init__(code)
        self.code = code
        self.record = record
        self.kwargs = kwargs


def tag_of(aliases: tuple[str, ...]) -> str | None:
    """The standard's element name among a column's aliases (upper case, underscores)."""
    for alias in aliases:
        if _TAG.fullmatch(alias):
            return alias
    return None


def columns_of(contract: Contract) -> tuple[list[str], dict[str, str], dict[str, int]]:
    """(headers of the rows, canonical column -> header, element name -> position): every
    column that has an element name in the standard, under that name."""
    headers: list[str] = []
    mapping: dict[str, str] = {}
    position: dict[str, int] = {}
    for column in contract.columns:
        tag = tag_of(column.aliases)
        if tag is None:
            continue
        mapping[column.name] = tag
        for alias in column.aliases:
            if _TAG.fullmatch(alias):
                position.setdefault(alias, len(headers))
        headers.append(tag)
    return headers, mapping, position


def joined_bodies(documents: list[bytes]) -> bytes:
    """The documents one after the other, each without the byte-order mark and UTF-8
    declaration at its start, each followed by a NUL byte (which no XML document holds: the
    batch grammar requires one after each document, so the documents it finds are the
    documents as they were sent, none spanning two).  A declaration of another encoding, or
    anything else, is left in place for the grammar to refuse."""
    first = _DECLARATION.match(documents[0]) if documents else None
    if first is not None:
        # one hospital system writes the same declaration on every document
        common = first.group()
        if all(map(methodcaller("startswith", common), documents)):
            size = len(common)
            return _END.join([d[size:] for d in documents]) + _END
    pieces = []
    for document in documents:
        found = _DECLARATION.match(document)
        pieces.append(document[found.end() :] if found else document)
    return _END.join(pieces) + _END


def _text_values(array: pa.Array, references: bool = True) -> pa.Array:
    """Element texts as strings: UTF-8 checked (raises ``ArrowInvalid``), empty as null,
    entity and character references resolved (``references``: the texts may hold some)."""
    text = array.cast(pa.string())
    text = pc.if_else(pc.equal(pc.binary_length(text), 0), pa.scalar(None, pa.string()), text)
    if not references:
        return text
    escaped = pc.fill_null(pc.match_substring(text, "&"), False)
    if bool(pc.any(escaped).as_py()):
        where = np.nonzero(escaped.to_numpy(zero_copy_only=False))[0]
        fixed = [html.unescape(v) for v in text.take(pa.array(where)).to_pylist()]
        text = pc.replace_with_mask(text, escaped, pa.array(fixed, pa.string()))
    return text


class TableReader:
    """Turns a batch of decoded documents of one table into rows (an Arrow table)."""

    def __init__(self, spec: XmlTable) -> None:
        self.spec = spec
        self.headers, self.mapping, self.position = columns_of(CONTRACTS[spec.table])
        self.facility = self.headers.index("MA_CSKCB")
        self.schema = pa.schema(
            [*(pa.field(h, pa.string()) for h in self.headers), pa.field(RECORD, pa.int64())]
        )
        root, record = spec.root.encode(), spec.record.encode()
        if spec.listing is None:
            document = rb"[ \t\r\n]*+<" + root + rb">" + _LEAVES + rb"</" + root + rb">[ \t\r\n]*+"
            items = rb"<(" + record + rb")>|<([A-Z][A-Z0-9_]*)>([^<]*)</\2>"
        else:
            listing = spec.listing.encode()
            rows = rb"(?:[ \t\r\n]*+<" + record + rb">" + _LEAVES + rb"</" + record + rb">)*+"
            document = (
                rb"[ \t\r\n]*+<"
                + root
                + rb">[ \t\r\n]*+(?:<"
                + listing
                + rb">"
                + rows
                + rb"[ \t\r\n]*+</"
                + listing
                + rb">|<"
                + listing
                + rb"[ \t\r\n]*/>)?[ \t\r\n]*+</"
                + root
                + rb">[ \t\r\n]*+"
            )
            items = rb"<(" + root + rb")>|<(" + record + rb")>|<([A-Z][A-Z0-9_]*)>([^<]*)</\3>"
        self.batch = re.compile(rb"(?:" + document + rb"\x00)*+")
        self.items = re.compile(items)
        self.tag_position = {tag.encode(): at for tag, at in self.position.items()}
        self.layouts: dict[tuple[bytes, ...], tuple[re.Pattern[bytes], re.Pattern[bytes]]] = {}
        self.root_open, self.root_close = b"<" + root + b">", b"</" + root + b">"
        self.record_open, self.record_close = b"<" + record + b">", b"</" + record + b">"

    # ------------------------------------------------------------------------ entry point
    def rows(
        self,
        records: list[int],
        documents: list[bytes],
        facility_of: Callable[[int], str | None],
    ) -> pa.Table:
        """Rows of the documents (each of the record beside it); lines without MA_CSKCB
        take ``facility_of(record)``."""
        # the layout's skeleton grammar reads each document's prologue itself
        laid = self._by_layout(documents, _END.join([*documents, b""]), records, facility_of)
        if laid is not None:
            return laid
        joined = joined_bodies(documents)
        if self.batch.fullmatch(joined):
            fast = self._fast(joined, records, facility_of)
            if fast is not None:
                return fast
        return self._slow(list(zip(records, documents, strict=True)), facility_of)

    # ----------------------------------------------------------------- fastest: one layout
    def _layout_of(self, joined: bytes) -> tuple[bytes, ...] | None:
        """The element names of a row, in order, as the first row of the batch has them."""
        start = joined.find(self.record_open)
        if start < 0:
            return None
        end = joined.find(self.record_close, start)
        if end < 0:
            return None
        return tuple(_OPENING.findall(joined, start + len(self.record_open), end))

    def _layout(self, layout: tuple[bytes, ...]) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
        """(row pattern, skeleton grammar) for rows of exactly these elements in this order,
        each leaf ``<T>text</T>`` (its text a group) or ``<T/>`` (its group None).  Cut at
        every row, a batch leaves its skeleton — each row replaced by ``\\x01`` — which the
        grammar must match: the rows, each matched whole, where rows may be, and nothing
        else but the documents' root, list and white space."""
        cached = self.layouts.get(layout)
        if cached is not None:
            return cached
        leaves = b"".join(
            _WS + rb"(?:<" + t + rb">(" + _TEXT + rb"(?:" + _REFERENCE + _TEXT + rb")*+)</" + t
            + rb">|<" + t + _WS + rb"/>)"
            for t in layout
        )  # fmt: skip
        row = self.record_open + leaves + _WS + self.record_close
        if self.spec.listing is None:
            skeleton = _WS + _ROW_MARK + _WS
        else:
            root, listing = self.spec.root.encode(), self.spec.listing.encode()
            skeleton = (
                _WS + rb"<" + root + rb">" + _WS + rb"(?:<" + listing + rb">(?:" + _WS + _ROW_MARK
                + rb")*+" + _WS + rb"</" + listing + rb">|<" + listing + _WS + rb"/>)?" + _WS
                + rb"</" + root + rb">" + _WS
            )  # fmt: skip
        compiled = (re.compile(row), re.compile(rb"(?:" + _PROLOGUE + skeleton + rb"\x00)*+"))
        if len(self.layouts) > 16:
            self.layouts.clear()
        self.layouts[layout] = compiled
        return compiled

    def _by_layout(
        self,
        documents: list[bytes],
        joined: bytes,
        records: list[int],
        facility_of: Callable[[int], str | None],
    ) -> pa.Table | None:
        layout = self._layout_of(joined)
        lines = self.spec.listing is not None
        if layout is None:
            return self.schema.empty_table() if lines and self.batch.fullmatch(joined) else None
        if not layout:
            return None
        if _ROW_MARK in joined:
            return None
        row, skeleton_grammar = self._layout(layout)
        width = len(layout)
        parts = row.split(joined)
        skeleton = _ROW_MARK.join(parts[:: width + 1])
        if not skeleton_grammar.fullmatch(skeleton):
            return None
        del parts[:: width + 1]
        n_rows = len(parts) // width
        if n_rows == 0:
            return self.schema.empty_table()
        # each row's document: the number of documents ended before its mark
        marks = np.frombuffer(skeleton, np.uint8)
        row_doc = np.searchsorted(np.flatnonzero(marks == 0), np.flatnonzero(marks == 1))
        if not lines and not np.array_equal(row_doc, np.arange(len(documents))):
            return None
        values = pa.array(parts, pa.binary())
        try:
            text = _text_values(values, references=b"&" in joined)
        except pa.ArrowInvalid:
            return None  # not UTF-8: lxml names the record
        # row-major values to column-major in one take; each column a slice of it
        by_column = text.take(
            pa.array((np.arange(width)[:, None] + np.arange(n_rows) * width).ravel())
        )
        columns: list[pa.Array | None] = [None] * len(self.headers)
        for offset, tag in enumerate(layout):
            at = self.tag_position.get(tag)
            if at is not None:  # an element named twice: the last, as lxml's reading has it
                columns[at] = by_column.slice(offset * n_rows, n_rows)
        arrays = [c if c is not None else pa.nulls(n_rows, pa.string()) for c in columns]
        arrays.append(pa.array(np.asarray(records, dtype=np.int64)[row_doc]))
        table = pa.Table.from_arrays(arrays, schema=self.schema)
        return self._with_facility(table, facility_of)

    # ---------------------------------------------------------------------------- fast path
    def _fast(
        self, joined: bytes, records: list[int], facility_of: Callable[[int], str | None]
    ) -> pa.Table | None:
        found = self.items.findall(joined)
        lines = self.spec.listing is not None
        if not found:
            return self.schema.empty_table()
        groups = list(zip(*found, strict=True))
        if lines:
            doc_marks, record_marks, tags, values = groups
        else:
            record_marks, tags, values = groups
            doc_marks = record_marks
        is_doc = pc.greater(pc.binary_length(pa.array(doc_marks, pa.binary())), 0)
        is_record = pc.greater(pc.binary_length(pa.array(record_marks, pa.binary())), 0)
        doc_id = np.cumsum(is_doc.to_numpy(zero_copy_only=False)) - 1
        record_start = is_record.to_numpy(zero_copy_only=False)
        record_id = np.cumsum(record_start) - 1
        if int(doc_id[-1]) + 1 != len(records):
            return None  # documents and records out of step: let lxml decide
        n_rows = int(record_id[-1]) + 1
        if n_rows == 0:
            return self.schema.empty_table()
        try:
            text = _text_values(pa.array(values, pa.binary()))
        except pa.ArrowInvalid:
            return None  # not UTF-8: lxml names the record
        encoded = pc.dictionary_encode(pa.array(tags, pa.binary()))
        lookup = np.array(
            [self.tag_position.get(t, -1) for t in encoded.dictionary.to_pylist()] or [-1],
            dtype=np.int64,
        )
        target = lookup[encoded.indices.to_numpy(zero_copy_only=False)]
        target[record_start] = -1
        target[record_id < 0] = -1  # values before any record (none in this grammar)
        columns: list[pa.Array] = []
        for at in range(len(self.headers)):
            chosen = np.nonzero(target == at)[0]
            index = np.full(n_rows, -1, dtype=np.int64)
            index[record_id[chosen]] = chosen
            columns.append(text.take(pa.array(index, mask=index < 0)))
        record_of_row = np.asarray(records, dtype=np.int64)[doc_id[record_start]]
        columns.append(pa.array(record_of_row))
        table = pa.Table.from_arrays(columns, schema=self.schema)
        return self._with_facility(table, facility_of)

    def _with_facility(self, table: pa.Table, facility_of: Callable[[int], str | None]) -> pa.Table:
        facility = table.column(self.facility)
        missing = pc.is_null(facility)
        if not bool(pc.any(missing).as_py()):
            return table
        records = table.column(RECORD).to_numpy()
        unique, inverse = np.unique(records, return_inverse=True)
        each = pa.array([facility_of(int(r)) for r in unique], pa.string())
        filled = pc.coalesce(facility, each.take(pa.array(inverse)))
        return table.set_column(self.facility, self.headers[self.facility], filled)

    # ---------------------------------------------------------------------------- slow path
    def _slow(
        self, docs: list[tuple[int, bytes]], facility_of: Callable[[int], str | None]
    ) -> pa.Table:
        parser = etree.XMLParser(**SAFE_XML)
        width = len(self.headers)
        rows: list[list[str | None]] = []
        records: list[int] = []
        for record, data in docs:
            try:
                root = etree.fromstring(data, parser)
            except etree.XMLSyntaxError as exc:
                raise DocumentError(
                    "xml_inner_not_well_formed", record, kind=self.spec.kind, detail=str(exc)[:160]
                ) from exc
            if root.tag != self.spec.root:
                raise DocumentError(
                    "xml_inner_wrong_root",
                    record,
                    kind=self.spec.kind,
                    expected=self.spec.root,
                    root=root.tag,
                )
            elements = [root] if self.spec.listing is None else root.iter(self.spec.record)
            for element in elements:
                values: list[str | None] = [None] * width
                for child in element:
                    at = self.position.get(child.tag) if isinstance(child.tag, str) else None
                    if at is not None:
                        values[at] = child.text if child.text != "" else None
                rows.append(values)
                records.append(record)
        if not rows:
            return self.schema.empty_table()
        columns = [pa.array(list(c), pa.string()) for c in zip(*rows, strict=True)]
        columns.append(pa.array(records, pa.int64()))
        table = pa.Table.from_arrays(columns, schema=self.schema)
        return self._with_facility(table, facility_of)
