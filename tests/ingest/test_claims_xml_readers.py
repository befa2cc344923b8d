"""The two readers of a claims XML file give the same rows and refuse the same files.

A file in the plain shape hospital systems write is read by regular expressions, in pieces;
anything else by lxml.  Each case below is read twice — as baophu reads it, and with the plain
reader switched off — and the rows (or the refusal) must be the same; the plain shapes must
be read without lxml's pass, and the expected rows are written by hand from ``claims_build``.
"""

from __future__ import annotations

import base64
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import claims_build as cb

from baophu.ingest import claims_xml
from baophu.ingest.errors import ImportFileError


def records() -> list[str]:
    return [
        cb.record(
            cb.claim("A1"),
            [cb.drug("A1", 1), cb.drug("A1", 2, MA_THUOC="40.30")],
            [cb.service("A1", 1)],
        ),
        cb.record(
            cb.claim("B1", HO_TEN="Trần Thị Bình & Con"),
            [cb.drug("B1", 1)],
            [cb.service("B1", 1), cb.service("B1", 2, MA_DICH_VU="", MA_VAT_TU="N03.01.070")],
        ),
        cb.record(cb.claim("C4")),
    ]


def plain() -> str:
    return cb.envelope(records())


def _recode(text: str, change: Callable[[str], str]) -> str:
    """Every NOIDUNGFILE decoded, changed by ``change`` and encoded again."""

    def one(match: re.Match[str]) -> str:
        inner = base64.b64decode(match.group(1)).decode("utf-8")
        return (
            "<NOIDUNGFILE>" + base64.b64encode(change(inner).encode()).decode() + "</NOIDUNGFILE>"
        )

    return re.sub(r"<NOIDUNGFILE>([^<]*)</NOIDUNGFILE>", one, text)


def _wrapped(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        body = match.group(1)
        lines = [body[i : i + 76] for i in range(0, len(body), 76)]
        return "<NOIDUNGFILE>\n" + "\n".join(lines) + "\n</NOIDUNGFILE>"

    return re.sub(r"<NOIDUNGFILE>([^<]*)</NOIDUNGFILE>", one, text)


# name -> the file's bytes; all of them in the plain shape
PLAIN_SHAPES: dict[str, Callable[[], bytes]] = {
    "as_written": lambda: plain().encode(),
    "indented": lambda: re.sub(r"><(?!/NOIDUNGFILE)", ">\n  <", plain()).encode(),
    "crlf_and_tabs": lambda: re.sub(r"><(?!/NOIDUNGFILE)", ">\r\n\t<", plain()).encode(),
    "base64_in_lines": lambda: _wrapped(plain()).encode(),
    "kind_in_lower_case": lambda: plain().replace(">XML", ">xml").encode(),
    "another_table": lambda: (
        plain()
        .replace(
            "</HOSO>",
            "<FILEHOSO><LOAIHOSO>XML4</LOAIHOSO><NOIDUNGFILE>"
            + cb.b64("<CHITIEU_CHITIET_DICHVUCANLAMSANG/>")
            + "</NOIDUNGFILE></FILEHOSO></HOSO>",
        )
        .encode()
    ),
    "bom_and_other_declaration": lambda: (
        b"\xef\xbb\xbf"
        + plain()
        .replace(
            '<?xml version="1.0" encoding="utf-8"?>',
            "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>",
            1,
        )
        .encode()
    ),
    "no_declarations": lambda: (
        _recode(plain(), lambda t: t.removeprefix('<?xml version="1.0" encoding="utf-8"?>\n'))
        .removeprefix('<?xml version="1.0" encoding="utf-8"?>\n')
        .encode()
    ),
    "inner_bom_and_mixed_declarations": lambda: _recode(
        plain(),
        lambda t: (
            "\ufeff" + t.replace('"1.0" encoding="utf-8"', "'1.0'")
            if "TONG_HOP" in t
            else t.removeprefix('<?xml version="1.0" encoding="utf-8"?>\n')
        ),
    ).encode(),
    "rows_in_two_layouts": lambda: _recode(
        plain(),
        lambda t: (
            t.replace("<MA_LK>B1</MA_LK>", "").replace(
                "</CHI_TIET_THUOC>", "<MA_LK>B1</MA_LK></CHI_TIET_THUOC>"
            )
            if "<MA_LK>B1</MA_LK>" in t and "CHI_TIET_THUOC" in t
            else t
        ),
    ).encode(),
    "empty_lists": lambda: (
        plain()
        .replace(
            records()[2],
            cb.record(
                cb.claim("C4"),
                raw={
                    "XML2": cb.b64(
                        "<CHITIEU_CHITIET_THUOC><DSACH_CHI_TIET_THUOC>\n"
                        "</DSACH_CHI_TIET_THUOC></CHITIEU_CHITIET_THUOC>"
                    ),
                    "XML3": cb.b64(
                        "<CHITIEU_CHITIET_DVKT_VTYT><DSACH_CHI_TIET_DVKT/></CHITIEU_CHITIET_DVKT_VTYT>"
                    ),
                },
            ),
        )
        .encode()
    ),
}

# name -> bytes that only lxml reads (comments, entities, CDATA): the same rows
OTHER_SHAPES: dict[str, Callable[[], bytes]] = {
    "comment_between_records": lambda: (
        plain().replace("</HOSO><HOSO>", "</HOSO><!-- x --><HOSO>").encode()
    ),
    "character_reference_in_base64": lambda: (
        plain().replace("<NOIDUNGFILE>P", "<NOIDUNGFILE>&#80;").encode()
    ),
    "cdata_base64": lambda: re.sub(
        r"<NOIDUNGFILE>([^<]*)</NOIDUNGFILE>", r"<NOIDUNGFILE><![CDATA[\1]]></NOIDUNGFILE>", plain()
    ).encode(),
    "comment_in_head": lambda: (
        plain().replace("<THONGTINDONVI>", "<!-- c --><THONGTINDONVI>").encode()
    ),
    "doctype": lambda: (
        plain().replace("<GIAMDINHHS>", "<!DOCTYPE GIAMDINHHS>\n<GIAMDINHHS>", 1).encode()
    ),
}


def _lxml_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Any) -> None:
        raise claims_xml._NotPlain

    monkeypatch.setattr(claims_xml._Parse, "_run_plain", refuse)


def _rows(path: Path) -> dict[str, list[dict[str, Any]]]:
    tables = claims_xml.parse_file(path)
    return {
        name: [r for piece in raw.chunks(1_000) for r in piece.data.to_pylist()]
        for name, raw in tables.items()
    }


def _read_both(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]], bool]:
    """(rows as read, rows as lxml reads them, whether lxml's pass ran the first time)."""
    ran: list[bool] = []
    original = claims_xml._Parse._run_lxml

    def spy(self: Any) -> None:
        ran.append(True)
        original(self)

    with monkeypatch.context() as m:
        m.setattr(claims_xml._Parse, "_run_lxml", spy)
        m.setattr(claims_xml, "PIECE_BYTES", 300)  # records cut across reads
        first = _rows(path)
    with monkeypatch.context() as m:
        _lxml_only(m)
        second = _rows(path)
    return first, second, bool(ran)


@pytest.mark.parametrize("shape", sorted(PLAIN_SHAPES))
def test_plain_shapes_are_read_without_lxml_and_as_lxml_reads_them(
    shape: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "giamdinh.xml"
    path.write_bytes(PLAIN_SHAPES[shape]())
    fast, slow, used_lxml = _read_both(path, monkeypatch)
    assert not used_lxml
    assert fast == slow
    claims = fast["claims"]
    assert [c["MA_LK"] for c in claims] == ["A1", "B1", "C4"]
    assert claims[1]["HO_TEN"] == "Trần Thị Bình & Con"
    assert [(d["MA_LK"], d["STT"], d["MA_THUOC"]) for d in fast["claim_drugs"]] == [
        ("A1", "1", cb.drug("A1", 1)["MA_THUOC"]),
        ("A1", "2", "40.30"),
        ("B1", "1", cb.drug("B1", 1)["MA_THUOC"]),
    ]
    services = fast["claim_services"]
    assert [(s["MA_LK"], s["STT"]) for s in services] == [("A1", "1"), ("B1", "1"), ("B1", "2")]
    assert services[2]["MA_DICH_VU"] is None and services[2]["MA_VAT_TU"] == "N03.01.070"
    # lines carry their claim's facility, which the line tables do not repeat
    assert {s["MA_CSKCB"] for s in services} == {cb.claim("A1")["MA_CSKCB"]}


@pytest.mark.parametrize("shape", sorted(OTHER_SHAPES))
def test_other_shapes_go_through_lxml_with_the_same_rows(
    shape: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = tmp_path / "plain.xml"
    reference.write_bytes(PLAIN_SHAPES["as_written"]())
    path = tmp_path / "giamdinh.xml"
    path.write_bytes(OTHER_SHAPES[shape]())
    fast, slow, used_lxml = _read_both(path, monkeypatch)
    assert used_lxml
    assert fast == slow == _rows(reference)


def _broken() -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, the refusal's code), each close to the plain shape."""
    text = plain()
    cut = text.index("</HOSO>") + len("</HOSO>")
    return {
        "ends_after_a_record": (text[:cut].encode(), "xml_not_well_formed"),
        "stray_closing_record": (
            text.replace("</HOSO>", "</HOSO></HOSO>", 1).encode(),
            "xml_not_well_formed",
        ),
        "markup_in_base64": (
            text.replace("<NOIDUNGFILE>P", "<NOIDUNGFILE><X/>P", 1).encode(),
            "xml_inner_not_well_formed",  # lxml reads the text before <X/>: nothing
        ),
        "record_after_the_list": (
            text.replace("<CHUKYDONVI/>", records()[2]).encode(),
            "xml_record_count",
        ),
        "nul_in_a_table": (
            _recode(text, lambda t: t.replace("<STT>1</STT>", "<STT>1\x00</STT>")).encode(),
            "xml_inner_not_well_formed",
        ),
        "unclosed_leaf_in_a_table": (
            _recode(text, lambda t: t.replace("</STT>", "", 1)).encode(),
            "xml_inner_not_well_formed",
        ),
        "tables_swapped_halfway": (
            _recode(
                text,
                lambda t: t.replace("</DSACH_CHI_TIET_THUOC></CHITIEU_CHITIET_THUOC>", ""),
            ).encode(),
            "xml_inner_not_well_formed",
        ),
    }


@pytest.mark.parametrize("name", sorted(_broken()))
def test_broken_files_are_refused_alike(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, code = _broken()[name]
    path = tmp_path / "giamdinh.xml"
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as first:
        claims_xml.parse_file(path)
    with monkeypatch.context() as m:
        _lxml_only(m)
        with pytest.raises(ImportFileError) as second:
            claims_xml.parse_file(path)
    assert first.value.code == second.value.code == code
    assert first.value.row == second.value.row
    if name == "tables_swapped_halfway":  # the drug table of A1's record: named by its XML1
        assert "MA_LK A1" in str(first.value) and "MA_LK A1" in str(second.value)


@pytest.mark.parametrize(
    "text",
    ["A &gt; B", "A > B", " ", "\t x \n", "&#x1EA0;&amp;&lt;", "/>", "Đỗ/Ngô>"],
)
def test_texts_read_as_lxml_reads_them(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A drug's name with markup characters, references and white space: the same value by
    both readers (each written once into a plain file)."""
    drug = cb.drug("A1", 1, TEN_THUOC="§")
    content = cb.envelope([cb.record(cb.claim("A1"), [drug, cb.drug("A1", 2)])])
    path = tmp_path / "giamdinh.xml"
    path.write_text(_recode(content, lambda t: t.replace("§", text)), "utf-8")
    fast, slow, used_lxml = _read_both(path, monkeypatch)
    assert not used_lxml
    assert fast == slow
    assert fast["claim_drugs"][1]["TEN_THUOC"] == cb.drug("A1", 2)["TEN_THUOC"]


def test_a_parsed_file_carries_its_sha256(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The import's identity of a file (SHA-256 of its bytes), whatever the pieces read."""
    import hashlib

    content = PLAIN_SHAPES["as_written"]()
    path = tmp_path / "giamdinh.xml"
    path.write_bytes(content)
    monkeypatch.setattr(claims_xml, "PIECE_BYTES", 300)
    tables = claims_xml.parse_file(path)
    assert {raw.file_hash for raw in tables.values()} == {hashlib.sha256(content).hexdigest()}
