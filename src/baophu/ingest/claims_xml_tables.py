"""Rows of the claim tables from the decoded documents of a batch of XML records.

Each ``NOIDUNGFILE`` decodes to a small XML document: XML1 is one ``TONG_HOP`` of leaf
elements, XML2 and XML3 a list of ``CHI_TIET_THUOC`` / ``CHI_TIET_DVKT`` of leaf elements.
Documents in that plain shape (UTF-8, elements without attributes, text with the five
predefined entities or character references) are recognised by one regular expression over
the whole batch — a grammar that accepts only well-formed XML — and their values pulled out
and pivoted into columns with Arrow, without building a tree: the fast path.  Any other
document (CDATA, comments, attributes, another encoding, or something malformed) goes through
lxml one document at a time, which reads what is legal and names what is not.  Both paths
give the same rows.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from lxml import etree

from baophu.contracts import CONTRACTS, Contract

RECORD = "__record"  # the HOSO number of each row
_TAG = re.compile(r"[A-Z][A-Z0-9_]*")
_DECLARATION_END = b"?>"
_OPENING = re.compile(rb"<([A-Z][A-Z0-9_]*)\s*/?>")
_TEXT = rb"[^<&\x00-\x08\x0b\x0c\x0e-\x1f]*+"
_REFERENCE = rb"&(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});"
_LEAVES = (
    rb"(?:\s*+(?:<([A-Z][A-Z0-9_]*)>" + _TEXT + rb"(?:" + _REFERENCE + _TEXT + rb")*+</\1>"
    rb"|<[A-Z][A-Z0-9_]*\s*/>))*+\s*+"
)


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


def _body(document: bytes) -> bytes | None:
    """The document without byte-order mark and UTF-8 declaration; None when it declares
    another encoding (the fast path reads UTF-8 only)."""
    document = document.removeprefix(b"\xef\xbb\xbf").lstrip()
    if document.startswith(b"<?xml"):
        end = document.find(_DECLARATION_END)
        if end < 0:
            return None
        declaration = document[:end].lower()
        if b"encoding" in declaration and not re.search(
            rb"""encoding\s*=\s*["']utf-?8["']""", declaration
        ):
            return None
        document = document[end + 2 :]
    return document


def _text_values(array: pa.Array) -> pa.Array:
    """Element texts as strings: UTF-8 checked (raises ``ArrowInvalid``), empty as null,
    entity and character references resolved."""
    text = array.cast(pa.string())
    text = pc.if_else(pc.equal(pc.binary_length(text), 0), pa.scalar(None, pa.string()), text)
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
            document = rb"\s*+<" + root + rb">" + _LEAVES + rb"</" + root + rb">\s*+"
            items = rb"<(" + record + rb")>|<([A-Z][A-Z0-9_]*)>([^<]*)</\2>"
        else:
            listing = spec.listing.encode()
            rows = rb"(?:\s*+<" + record + rb">" + _LEAVES + rb"</" + record + rb">)*+"
            document = (
                rb"\s*+<"
                + root
                + rb">\s*+(?:<"
                + listing
                + rb">"
                + rows
                + rb"\s*+</"
                + listing
                + rb">|<"
                + listing
                + rb"\s*/>)?\s*+</"
                + root
                + rb">\s*+"
            )
            items = rb"<(" + root + rb")>|<(" + record + rb")>|<([A-Z][A-Z0-9_]*)>([^<]*)</\3>"
        self.document = re.compile(document)
        self.batch = re.compile(rb"(?:" + document + rb")*+")
        self.items = re.compile(items)
        self.tag_position = {tag.encode(): at for tag, at in self.position.items()}
        self.layouts: dict[tuple[bytes, ...], tuple[re.Pattern[bytes], re.Pattern[bytes]]] = {}

    # ------------------------------------------------------------------------ entry point
    def rows(
        self, docs: list[tuple[int, bytes]], facility_of: Callable[[int], str | None]
    ) -> pa.Table:
        """Rows of the documents (record number, document); lines without MA_CSKCB take
        ``facility_of(record)``."""
        bodies = [_body(d) for _, d in docs]
        if all(b is not None for b in bodies):
            present = [b for b in bodies if b is not None]
            joined = b"".join(present)
            laid = self._by_layout(present, joined, [r for r, _ in docs], facility_of)
            if laid is not None:
                return laid
            if self.batch.fullmatch(joined):
                fast = self._fast(joined, [r for r, _ in docs], facility_of)
                if fast is not None:
                    return fast
        return self._slow(docs, facility_of)

    # ----------------------------------------------------------------- fastest: one layout
    def _layout_of(self, bodies: list[bytes]) -> tuple[bytes, ...] | None:
        """The element names of a row, in order, as the first row of the batch has them."""
        record = self.spec.record.encode()
        for body in bodies:
            tags = _OPENING.findall(body)
            if record not in tags:
                continue
            start = tags.index(record) + 1
            end = tags.index(record, start) if record in tags[start:] else len(tags)
            return tuple(tags[start:end])
        return None

    def _layout(self, layout: tuple[bytes, ...]) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
        """(batch grammar, row pattern) for rows of exactly these elements in this order:
        each leaf ``<T>text</T>`` (its text a group) or ``<T/>``."""
        cached = self.layouts.get(layout)
        if cached is not None:
            return cached
        record = self.spec.record.encode()
        leaves = b"".join(
            rb"\s*+(?:<"
            + t
            + rb">("
            + _TEXT
            + rb"(?:"
            + _REFERENCE
            + _TEXT
            + rb")*+)</"
            + t
            + rb">|<"
            + t
            + rb"\s*/>)"
            for t in layout
        )
        row = rb"<" + record + rb">" + leaves + rb"\s*+</" + record + rb">"
        bare = re.sub(rb"\((?!\?)", b"(?:", row)  # the same row without groups
        if self.spec.listing is None:
            document = rb"\s*+" + bare + rb"\s*+"
            items = row
        else:
            root, listing = self.spec.root.encode(), self.spec.listing.encode()
            document = (
                rb"\s*+<"
                + root
                + rb">\s*+(?:<"
                + listing
                + rb">(?:\s*+"
                + bare
                + rb")*+\s*+</"
                + listing
                + rb">|<"
                + listing
                + rb"\s*/>)?\s*+</"
                + root
                + rb">\s*+"
            )
            items = rb"<(" + root + rb")>|" + row
        compiled = (re.compile(rb"(?:" + document + rb")*+"), re.compile(items))
        if len(self.layouts) > 16:
            self.layouts.clear()
        self.layouts[layout] = compiled
        return compiled

    def _by_layout(
        self,
        bodies: list[bytes],
        joined: bytes,
        records: list[int],
        facility_of: Callable[[int], str | None],
    ) -> pa.Table | None:
        layout = self._layout_of(bodies)
        lines = self.spec.listing is not None
        if layout is None:
            return self.schema.empty_table() if lines and self.batch.fullmatch(joined) else None
        grammar, items = self._layout(layout)
        if not grammar.fullmatch(joined):
            return None
        found = items.findall(joined)
        width = len(layout) + (1 if lines else 0)
        if width == 1:
            found = [(v,) for v in found]
        groups = list(zip(*found, strict=True)) if found else [() for _ in range(width)]
        if lines:
            is_doc = pc.greater(pc.binary_length(pa.array(groups[0], pa.binary())), 0)
            doc_marks = is_doc.to_numpy(zero_copy_only=False)
            doc_id = np.cumsum(doc_marks) - 1
            keep = pa.array(~doc_marks)
            row_doc = doc_id[~doc_marks]
            groups = groups[1:]
        else:
            keep = None
            row_doc = np.arange(len(found))
        if len(row_doc) == 0:
            return self.schema.empty_table()
        n_docs = int(doc_id[-1]) + 1 if lines else len(found)
        if n_docs != len(records):
            return None
        columns: list[pa.Array | None] = [None] * len(self.headers)
        for tag, values in zip(layout, groups, strict=True):
            at = self.tag_position.get(tag)
            if at is None:
                continue
            array = pa.array(values, pa.binary())
            if keep is not None:
                array = array.filter(keep)
            try:
                columns[at] = _text_values(array)
            except pa.ArrowInvalid:
                return None  # not UTF-8: lxml names the record
        n_rows = len(row_doc)
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
        records = table.column(RECORD).to_pylist()
        filled = pc.coalesce(facility, pa.array([facility_of(r) for r in records], pa.string()))
        return table.set_column(self.facility, self.headers[self.facility], filled)

    # ---------------------------------------------------------------------------- slow path
    def _slow(
        self, docs: list[tuple[int, bytes]], facility_of: Callable[[int], str | None]
    ) -> pa.Table:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=True,
            remove_comments=True,
            remove_pis=True,
        )
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
