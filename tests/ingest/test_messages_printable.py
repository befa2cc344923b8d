"""``ingest.messages.printable``: what a message may show of a value from a bad file."""

from __future__ import annotations

from baophu.ingest.messages import printable


def test_breaks_become_spaces_and_control_characters_are_replaced() -> None:
    assert printable("Nguyễn\tVăn\r\nAn") == "Nguyễn Văn  An"
    assert printable("a\x00b\x1bc\u2028d") == "a\ufffdb\ufffdc d"


def test_text_up_to_the_limit_is_kept_whole() -> None:
    assert printable("x" * 10, 10) == "x" * 10


def test_longer_text_is_cut_to_the_limit_with_an_ellipsis() -> None:
    # 9 characters of the text and "…": 10 in all
    assert printable("0123456789abc", 10) == "012345678…"
    # a control character in the part shown is replaced, one past the cut is never looked at
    assert printable("ab\x07" + "c" * 20 + "\x00", 5) == "ab\ufffdc…"


def test_a_field_of_two_million_characters_gives_a_short_message() -> None:
    shown = printable("A" * 2_000_000 + "\n", 200)
    assert shown == "A" * 199 + "…"
