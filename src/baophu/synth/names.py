"""Vietnamese personal names: surnames, middle names and given names with realistic frequencies.

A name is kept as three vocabulary indices (họ, tên đệm, tên) and rendered to text only when
a file is written, in one of three spellings: proper (NFC, with diacritics), without
diacritics (how names are often typed), or with a small typo in the given name.  Because the
variants are computed once per vocabulary word, noisy spellings of millions of names cost
no more than proper ones.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from baophu.synth.strings import ascii_fold, join, nfc, take

# --------------------------------------------------------------------------------------
# Surnames (họ).  Kinh frequencies after the commonly cited national estimates.
# --------------------------------------------------------------------------------------
KINH_SURNAMES: dict[str, float] = {
    "Nguyễn": 38.0,
    "Trần": 11.0,
    "Lê": 9.5,
    "Phạm": 7.0,
    "Hoàng": 2.6,
    "Huỳnh": 2.4,
    "Phan": 4.5,
    "Vũ": 2.0,
    "Võ": 1.9,
    "Đặng": 2.1,
    "Bùi": 2.0,
    "Đỗ": 1.4,
    "Hồ": 1.3,
    "Ngô": 1.3,
    "Dương": 1.0,
    "Lý": 0.5,
    "Đào": 0.45,
    "Đoàn": 0.45,
    "Trương": 0.6,
    "Trịnh": 0.4,
    "Lâm": 0.4,
    "Mai": 0.4,
    "Đinh": 0.45,
    "Hà": 0.4,
    "Lương": 0.3,
    "Cao": 0.3,
    "Tô": 0.2,
    "Tạ": 0.2,
    "Châu": 0.2,
    "Lưu": 0.2,
    "Thái": 0.2,
    "Vương": 0.2,
    "Triệu": 0.2,
    "Chu": 0.2,
    "Phùng": 0.2,
    "Quách": 0.1,
    "La": 0.1,
    "Kiều": 0.1,
    "Từ": 0.1,
    "Tăng": 0.1,
    "Thân": 0.1,
    "Đàm": 0.1,
    "Giang": 0.1,
    "Tôn": 0.1,
    "Hứa": 0.1,
    "Nghiêm": 0.05,
    "Khúc": 0.05,
    "Mạc": 0.05,
    "Lạc": 0.05,
    "Văn": 0.05,
    "Âu": 0.05,
    "Doãn": 0.05,
}
ETHNIC_SURNAMES: dict[str, dict[str, float]] = {
    "Hoa": {
        "Lâm": 3,
        "Lý": 3,
        "Trương": 3,
        "Quách": 2,
        "Hứa": 2,
        "Tăng": 2,
        "Mã": 1,
        "Huỳnh": 2,
        "Trần": 2,
        "Lưu": 1,
        "Diệp": 1,
        "Thái": 1,
    },
    "Khmer": {"Thạch": 4, "Danh": 3, "Sơn": 3, "Kim": 2, "Lâm": 1, "Chau": 2, "Lý": 1},
    "Tày": {"Hoàng": 3, "Nông": 3, "Lương": 2, "Hà": 2, "Vi": 1, "Đàm": 1, "Bế": 1, "Triệu": 1},
    "Nùng": {"Hoàng": 3, "Nông": 2, "Lương": 2, "Lục": 2, "Chu": 1, "Vi": 1, "Lâm": 1},
    "Thái": {"Lò": 3, "Cầm": 2, "Lường": 2, "Quàng": 1, "Vi": 2, "Hà": 2},
    "Mường": {"Bùi": 4, "Đinh": 3, "Quách": 2, "Hà": 2},
    "H'Mông": {"Giàng": 3, "Vàng": 3, "Sùng": 2, "Lý": 2, "Thào": 2, "Mùa": 1, "Hầu": 1},
    "Dao": {"Triệu": 4, "Bàn": 3, "Đặng": 2, "Lý": 2},
    "Xtiêng": {"Điểu": 6, "Thị": 2, "Lâm": 1},
    "Chơ Ro": {"Điểu": 4, "Thị": 2, "Đào": 1},
    "Mạ": {"Điểu": 4, "Ka": 1, "Thị": 1},
    "Mnông": {"Điểu": 3, "Thị": 1},
    "Gia Rai": {"Siu": 3, "Rơ Mah": 3, "Ksor": 3, "Nay": 2, "Rơ Lan": 2, "Kpă": 2, "Puih": 1},
    "Ba Na": {"Đinh": 5, "Lê": 1, "Phạm": 1},
    "Ê Đê": {"Niê": 3, "Mlô": 2, "Êban": 2, "Byă": 1, "Adrơng": 1},
    "Chăm": {"Đạo": 2, "Lưu": 1, "Thiên": 1, "Quảng": 1},
}

# Ethnic composition by province profile (shares; the rest of the vocabulary stays Kinh).
ETHNIC_PROFILES: dict[str, dict[str, float]] = {
    "southeast": {
        "Kinh": 90.5,
        "Hoa": 3.5,
        "Nùng": 1.4,
        "Tày": 1.1,
        "Xtiêng": 1.1,
        "Khmer": 0.8,
        "Chơ Ro": 0.4,
        "Mạ": 0.3,
        "Mnông": 0.3,
        "Mường": 0.3,
        "Thái": 0.2,
        "Dao": 0.1,
    },
    "highlands": {
        "Kinh": 76.0,
        "Gia Rai": 12.0,
        "Ba Na": 7.0,
        "Ê Đê": 1.5,
        "Tày": 1.0,
        "Nùng": 1.0,
        "Mường": 0.5,
        "Thái": 0.5,
        "Chăm": 0.5,
    },
    "north_mountain": {
        "Kinh": 35.0,
        "Tày": 22.0,
        "Nùng": 12.0,
        "H'Mông": 13.0,
        "Dao": 9.0,
        "Thái": 6.0,
        "Mường": 3.0,
    },
    "mekong": {"Kinh": 91.0, "Khmer": 7.0, "Hoa": 1.5, "Chăm": 0.5},
    "central": {"Kinh": 97.0, "Thái": 1.0, "Mường": 1.0, "Chăm": 0.5, "Ba Na": 0.5},
    "delta": {"Kinh": 98.5, "Mường": 0.8, "Tày": 0.4, "Hoa": 0.3},
}

# --------------------------------------------------------------------------------------
# Middle names (tên đệm), by sex; "older" for people born before 1990, "younger" after.
# An empty entry is a name without middle name.
# --------------------------------------------------------------------------------------
MALE_MIDDLE: dict[str, tuple[float, float]] = {
    "Văn": (45, 15),
    "Hữu": (6, 4),
    "Đức": (6, 7),
    "Minh": (5, 12),
    "Quốc": (4, 6),
    "Thanh": (5, 4),
    "Công": (4, 3),
    "Ngọc": (3, 2),
    "Hoàng": (3, 6),
    "Anh": (1, 4),
    "Xuân": (3, 2),
    "Trung": (2, 3),
    "Thành": (3, 3),
    "Tấn": (4, 3),
    "Gia": (1, 6),
    "Đình": (3, 2),
    "Quang": (3, 5),
    "Duy": (1, 4),
    "Tuấn": (1, 3),
    "Nhật": (0.5, 4),
    "Bảo": (0.5, 5),
    "Phúc": (0.3, 2),
    "Đăng": (0.5, 3),
    "Thế": (2, 1),
    "Trọng": (2, 1),
    "Văn Minh": (1, 0.5),
    "": (1.5, 1),
}
FEMALE_MIDDLE: dict[str, tuple[float, float]] = {
    "Thị": (55, 18),
    "Ngọc": (8, 10),
    "Thanh": (5, 4),
    "Thu": (4, 3),
    "Kim": (4, 3),
    "Hồng": (3, 2),
    "Minh": (1, 6),
    "Bảo": (0.5, 7),
    "Gia": (0.5, 6),
    "Khánh": (0.5, 5),
    "Mỹ": (2, 4),
    "Phương": (1, 4),
    "Hoài": (1, 2),
    "Diệu": (0.5, 2),
    "Thùy": (2, 3),
    "Quỳnh": (0.5, 3),
    "Tường": (0.5, 2),
    "Thị Ngọc": (3, 1),
    "Thị Thanh": (2, 0.5),
    "Thị Kim": (2, 0.5),
    "Thị Thu": (2, 0.5),
    "Ngọc Bảo": (0, 2),
    "Hải": (1, 2),
    "": (1, 1),
}

# --------------------------------------------------------------------------------------
# Given names (tên), by sex: (weight for older cohorts, weight for younger cohorts).
# --------------------------------------------------------------------------------------
MALE_GIVEN: dict[str, tuple[float, float]] = {
    "An": (2, 4),
    "Anh": (4, 6),
    "Bảo": (1, 4),
    "Bình": (4, 2),
    "Cường": (4, 2),
    "Công": (2, 1),
    "Dũng": (6, 3),
    "Duy": (2, 4),
    "Dương": (2, 3),
    "Đạt": (3, 5),
    "Đức": (4, 4),
    "Giang": (2, 1),
    "Hải": (5, 3),
    "Hiếu": (3, 4),
    "Hòa": (3, 1),
    "Hoàng": (3, 3),
    "Huy": (3, 6),
    "Hùng": (7, 3),
    "Hưng": (4, 3),
    "Khang": (0.5, 5),
    "Khánh": (2, 4),
    "Khoa": (1, 5),
    "Kiên": (2, 2),
    "Lâm": (2, 3),
    "Long": (5, 4),
    "Lộc": (2, 3),
    "Lợi": (3, 1),
    "Luân": (2, 1),
    "Minh": (5, 7),
    "Nam": (5, 5),
    "Nghĩa": (3, 2),
    "Nhân": (3, 3),
    "Phát": (2, 4),
    "Phong": (3, 3),
    "Phúc": (3, 5),
    "Quân": (2, 5),
    "Quang": (4, 3),
    "Quý": (2, 1),
    "Sơn": (6, 3),
    "Tài": (3, 3),
    "Tâm": (3, 2),
    "Tân": (3, 2),
    "Thái": (2, 2),
    "Thắng": (5, 2),
    "Thành": (6, 4),
    "Thịnh": (3, 4),
    "Thuận": (3, 2),
    "Tiến": (4, 3),
    "Toàn": (3, 3),
    "Trí": (2, 4),
    "Trung": (5, 3),
    "Tú": (3, 3),
    "Tuấn": (7, 5),
    "Tùng": (3, 3),
    "Việt": (3, 3),
    "Vinh": (4, 2),
    "Vũ": (2, 4),
    "Khôi": (0.5, 5),
    "Đăng": (0.5, 3),
    "Nhật": (1, 4),
    "Hậu": (2, 1),
    "Hiệp": (2, 1),
    "Thông": (2, 1),
    "Trọng": (2, 1),
    "Tín": (2, 2),
    "Sang": (2, 2),
    "Hiển": (2, 1),
    "Lực": (2, 1),
    "Mạnh": (3, 2),
    "Chiến": (3, 1),
    "Thiện": (2, 3),
}
FEMALE_GIVEN: dict[str, tuple[float, float]] = {
    "An": (1, 4),
    "Anh": (4, 7),
    "Ánh": (3, 2),
    "Bích": (3, 1),
    "Châu": (2, 3),
    "Chi": (2, 5),
    "Diễm": (2, 2),
    "Dung": (5, 1),
    "Duyên": (3, 2),
    "Giang": (3, 3),
    "Hà": (4, 3),
    "Hạnh": (5, 2),
    "Hằng": (5, 2),
    "Hân": (0.5, 5),
    "Hiền": (4, 2),
    "Hoa": (6, 1),
    "Hồng": (5, 1),
    "Huệ": (4, 1),
    "Hương": (7, 3),
    "Huyền": (4, 3),
    "Khánh": (1, 4),
    "Lan": (7, 2),
    "Liên": (4, 1),
    "Linh": (3, 6),
    "Loan": (4, 1),
    "Ly": (2, 4),
    "Mai": (6, 4),
    "My": (1, 5),
    "Nga": (5, 1),
    "Ngân": (2, 5),
    "Ngọc": (4, 5),
    "Nhi": (1, 7),
    "Nhung": (4, 2),
    "Như": (2, 5),
    "Oanh": (3, 1),
    "Phương": (5, 4),
    "Phượng": (4, 1),
    "Quyên": (2, 2),
    "Quỳnh": (3, 4),
    "Tâm": (3, 3),
    "Thảo": (4, 6),
    "Thanh": (4, 2),
    "Thu": (4, 2),
    "Thúy": (4, 2),
    "Thủy": (5, 2),
    "Thư": (1, 5),
    "Trang": (4, 6),
    "Trâm": (2, 4),
    "Trinh": (3, 3),
    "Tuyết": (4, 1),
    "Uyên": (1, 4),
    "Vân": (4, 3),
    "Vy": (0.5, 7),
    "Yến": (4, 3),
    "Hảo": (3, 1),
    "Lệ": (3, 1),
    "Nguyệt": (3, 1),
    "Xuân": (3, 1),
    "Diệp": (1, 2),
    "Hậu": (2, 1),
    "Tiên": (1, 4),
    "Hoài": (2, 2),
    "Mỹ": (2, 2),
}

TONE_MARKS = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")


def _word_rng(word: str) -> np.random.Generator:
    return np.random.default_rng(
        int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "little")
    )


def typo(word: str) -> str:
    """A plausible typing error in ``word`` (deterministic per word, never the word itself)."""
    if not word:
        return word
    rng = _word_rng(word)
    decomposed = list(unicodedata.normalize("NFD", word))
    for _ in range(8):
        op = int(rng.integers(0, 4))
        chars = decomposed.copy()
        tone_at = [i for i, c in enumerate(chars) if c in TONE_MARKS]
        if op == 0 and tone_at:  # wrong tone mark
            i = tone_at[0]
            chars[i] = str(rng.choice([t for t in TONE_MARKS if t != chars[i]]))
        elif op == 1 and len(word) >= 3:  # swap two adjacent letters (not the first)
            letters = [i for i, c in enumerate(chars) if unicodedata.category(c) != "Mn"]
            j = int(rng.integers(1, len(letters) - 1)) if len(letters) > 2 else 0
            if j and j + 1 < len(letters):
                a, b = letters[j], letters[j + 1]
                chars[a], chars[b] = chars[b], chars[a]
        elif op == 2 and len(word) >= 3:  # drop a letter (not the first)
            letters = [i for i, c in enumerate(chars) if unicodedata.category(c) != "Mn"]
            k = letters[int(rng.integers(1, len(letters)))]
            if k + 1 < len(chars) and unicodedata.category(chars[k + 1]) == "Mn":
                continue
            del chars[k]
        else:  # double a letter
            letters = [i for i, c in enumerate(chars) if unicodedata.category(c) != "Mn"]
            k = letters[int(rng.integers(0, len(letters)))]
            if unicodedata.category(chars[k]) != "Mn" and chars[k].isalpha():
                chars.insert(k + 1, chars[k].lower())
        out = nfc("".join(chars))
        if out != word and out:
            return out
    return nfc(word + word[-1])


@dataclass(frozen=True)
class Vocabulary:
    """One list of words with its spellings (proper, ASCII, with a typo)."""

    words: tuple[str, ...]
    spaced: bool  # rendered with a trailing space (surname, middle name)

    def arrow(self, variant: str) -> pa.StringArray:
        return _spellings(self, variant)


@functools.cache
def _spellings(vocab: Vocabulary, variant: str) -> pa.StringArray:
    """The vocabulary's words in one spelling (cached: typos are computed once per word)."""
    if variant == "ascii":
        words = [ascii_fold(w) for w in vocab.words]
    elif variant == "typo":
        words = [typo(w) for w in vocab.words]
    else:
        words = list(vocab.words)
    if vocab.spaced:
        words = [f"{w} " if w else "" for w in words]
    return pa.array(words, type=pa.string())


def _merged(*tables: Mapping[str, object]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for table in tables:
        for word in table:
            seen.setdefault(nfc(word), None)
    return tuple(sorted(seen, key=lambda w: (ascii_fold(w).lower(), w)))


SURNAMES = Vocabulary(_merged(KINH_SURNAMES, *ETHNIC_SURNAMES.values()), spaced=True)
MIDDLES = Vocabulary(_merged(MALE_MIDDLE, FEMALE_MIDDLE), spaced=True)
GIVENS = Vocabulary(_merged(MALE_GIVEN, FEMALE_GIVEN), spaced=False)
ETHNICITIES: tuple[str, ...] = tuple(
    sorted(
        {e for profile in ETHNIC_PROFILES.values() for e in profile}, key=lambda e: (e != "Kinh", e)
    )
)


def _weights(vocab: Vocabulary, table: dict[str, float]) -> np.ndarray:
    w = np.zeros(len(vocab.words))
    index = {w_: i for i, w_ in enumerate(vocab.words)}
    for word, weight in table.items():
        w[index[nfc(word)]] += weight
    return w / w.sum()


def _cohort_weights(
    vocab: Vocabulary, table: dict[str, tuple[float, float]], which: int
) -> np.ndarray:
    return _weights(vocab, {k: v[which] for k, v in table.items()})


def ethnicity_weights(profile: str) -> np.ndarray:
    """Probabilities over ``ETHNICITIES`` for a province profile."""
    table = ETHNIC_PROFILES[profile]
    w = np.array([table.get(e, 0.0) for e in ETHNICITIES])
    return w / w.sum()


def _draw(rng: np.random.Generator, probs: np.ndarray, n: int) -> np.ndarray:
    return (
        np.searchsorted(np.cumsum(probs), rng.random(n) * np.cumsum(probs)[-1], side="right")
        .clip(0, len(probs) - 1)
        .astype(np.int16)
    )


def draw_surnames(rng: np.random.Generator, ethnicity: np.ndarray) -> np.ndarray:
    """Surname indices for people of the given ethnicity indices (Kinh frequencies otherwise)."""
    out = _draw(rng, _weights(SURNAMES, KINH_SURNAMES), len(ethnicity))
    for e, name in enumerate(ETHNICITIES):
        if name not in ETHNIC_SURNAMES:
            continue
        sel = np.flatnonzero(ethnicity == e)
        if len(sel):
            # a third of minority people carry Kinh surnames
            own = rng.random(len(sel)) < 0.67
            picks = _draw(rng, _weights(SURNAMES, ETHNIC_SURNAMES[name]), len(sel))
            out[sel[own]] = picks[own]
    return out


def draw_middle_and_given(
    rng: np.random.Generator, female: np.ndarray, birth_year: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Middle- and given-name indices by sex and birth cohort."""
    n = len(female)
    middle = np.empty(n, dtype=np.int16)
    given = np.empty(n, dtype=np.int16)
    young = birth_year >= 1990
    for is_f in (False, True):
        for cohort in (0, 1):
            sel = np.flatnonzero((female == is_f) & (young == bool(cohort)))
            if not len(sel):
                continue
            mid_table = FEMALE_MIDDLE if is_f else MALE_MIDDLE
            giv_table = FEMALE_GIVEN if is_f else MALE_GIVEN
            middle[sel] = _draw(rng, _cohort_weights(MIDDLES, mid_table, cohort), len(sel))
            giv_p = _cohort_weights(GIVENS, giv_table, cohort)
            given[sel] = _draw(rng, giv_p, len(sel))
            for _ in range(3):  # no "Ngọc Ngọc": redraw a given name equal to the middle name
                same = sel[_CLASH[middle[sel], given[sel]]]
                if not len(same):
                    break
                given[same] = _draw(rng, giv_p, len(same))
    return middle, given


def _clashes() -> np.ndarray:
    """clash[m, g]: the middle name m ends with the given name g."""
    out = np.zeros((len(MIDDLES.words), len(GIVENS.words)), dtype=bool)
    for i, m in enumerate(MIDDLES.words):
        for j, g in enumerate(GIVENS.words):
            out[i, j] = bool(m) and m.split()[-1] == g
    return out


_CLASH = _clashes()


def render(
    surname: np.ndarray, middle: np.ndarray, given: np.ndarray, variant: np.ndarray | None = None
) -> pa.Array:
    """Full names "Họ Đệm Tên".  ``variant`` per row: 0 proper, 1 no diacritics, 2 typo."""
    proper = join(
        take(SURNAMES.arrow("proper"), surname),
        take(MIDDLES.arrow("proper"), middle),
        take(GIVENS.arrow("proper"), given),
    )
    if variant is None or not variant.any():
        return proper
    return respell(proper, surname, middle, given, variant)


def respell(
    proper: pa.Array,
    surname: np.ndarray,
    middle: np.ndarray,
    given: np.ndarray,
    variant: np.ndarray,
) -> pa.Array:
    """``proper`` names with the rows of variant 1 without diacritics, of variant 2 misspelt."""
    ascii_rows = np.flatnonzero(variant == 1)
    typo_rows = np.flatnonzero(variant == 2)
    pieces = [proper]
    pick = np.arange(len(variant), dtype=np.int64)
    offset = len(variant)
    if len(ascii_rows):
        pieces.append(
            join(
                take(SURNAMES.arrow("ascii"), surname[ascii_rows]),
                take(MIDDLES.arrow("ascii"), middle[ascii_rows]),
                take(GIVENS.arrow("ascii"), given[ascii_rows]),
            )
        )
        pick[ascii_rows] = offset + np.arange(len(ascii_rows))
        offset += len(ascii_rows)
    if len(typo_rows):
        pieces.append(
            join(
                take(SURNAMES.arrow("proper"), surname[typo_rows]),
                take(MIDDLES.arrow("proper"), middle[typo_rows]),
                take(GIVENS.arrow("typo"), given[typo_rows]),
            )
        )
        pick[typo_rows] = offset + np.arange(len(typo_rows))
    return pa.concat_arrays(pieces).take(pa.array(pick))
