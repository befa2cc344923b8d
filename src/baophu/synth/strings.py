"""Fast construction of Arrow string columns from numpy arrays.

Casting millions of integers to strings through Arrow is slow; building the byte buffer of a
fixed-width column with numpy and wrapping it as an Arrow ``StringArray`` is about twenty
times faster.  Identifiers, phone numbers and Vietnamese dates (dd/mm/yyyy) are all
fixed-width, so every generator step goes through these helpers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from baophu.synth.dates import ymd


def nfc(text: str) -> str:
    """NFC-normalised text (every Vietnamese string the generator writes goes through it)."""
    return unicodedata.normalize("NFC", text)


def ascii_fold(text: str) -> str:
    """Vietnamese text without diacritics (``"Đặng Thị Ánh"`` → ``"Dang Thi Anh"``)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def fixed_width(matrix: np.ndarray) -> pa.StringArray:
    """An Arrow string array from an ``(n, width)`` uint8 matrix of ASCII bytes."""
    matrix = np.ascontiguousarray(matrix, dtype=np.uint8)
    n, width = matrix.shape
    offsets = np.arange(n + 1, dtype=np.int32) * width
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(matrix.tobytes())
    )


_QUADS = np.array([list(f"{i:04d}".encode()) for i in range(10_000)], dtype=np.uint8)
_QUADS32 = _QUADS.view(np.uint32).ravel()  # the four ASCII digits of 0..9999 as one word


def digit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """The zero-padded decimal digits of non-negative integers as an ``(n, width)`` matrix.

    Numbers are cut into groups of four digits, each looked up as one 32-bit word.
    """
    values = np.asarray(values, dtype=np.int64)
    n_quads = -(-width // 4)
    words = np.empty((len(values), n_quads), dtype=np.uint32)
    rest = values.copy()
    for j in range(n_quads - 1, -1, -1):
        words[:, j] = _QUADS32[rest % 10_000]
        rest //= 10_000
    matrix = words.view(np.uint8).reshape(len(values), 4 * n_quads)
    return matrix[:, 4 * n_quads - width :]


def digits(values: np.ndarray, width: int, prefix: str = "") -> pa.StringArray:
    """Zero-padded decimal strings, optionally after a constant ASCII prefix."""
    body = digit_matrix(values, width)
    if prefix:
        head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
        body = np.hstack([np.broadcast_to(head, (len(body), len(head))), body])
    return fixed_width(body)


def masked(values: pa.Array, null: np.ndarray | None) -> pa.Array:
    """``values`` with nulls where ``null`` is True."""
    if null is None or not null.any():
        return values
    return pc.if_else(pa.array(null), pa.scalar(None, values.type), values)


def vn_dates(days: np.ndarray) -> pa.StringArray:
    """Dates as Vietnamese text ``dd/mm/yyyy`` (NaT → null)."""
    days = np.asarray(days, dtype="datetime64[D]")
    nat = np.isnat(days)
    year, month, day = ymd(days)
    slash = np.full((len(days), 1), ord("/"), dtype=np.uint8)
    matrix = np.hstack(
        [digit_matrix(day, 2), slash, digit_matrix(month, 2), slash, digit_matrix(year, 4)]
    )
    return masked(fixed_width(matrix), nat)


def date_array(days: np.ndarray) -> pa.Array:
    """An Arrow date32 array (NaT → null)."""
    days = np.asarray(days, dtype="datetime64[D]")
    return pa.array(days, type=pa.date32(), mask=np.isnat(days))


def vocab(words: Sequence[str]) -> pa.StringArray:
    """An Arrow string array of NFC words (a vocabulary to ``take`` from)."""
    return pa.array([nfc(w) for w in words], type=pa.string())


def take(words: pa.Array | Sequence[str], index: np.ndarray) -> pa.Array:
    """``words[index]`` as an Arrow array (index may be any integer numpy array)."""
    array = words if isinstance(words, pa.Array) else vocab(words)
    return array.take(pa.array(np.asarray(index, dtype=np.int64)))


def join(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of string arrays and constant strings (no separator)."""
    if len(parts) == 1:
        part = parts[0]
        return part if isinstance(part, pa.Array) else pa.array([part])
    return pc.binary_join_element_wise(*parts, "")


def categorical(
    index: np.ndarray, dictionary: pa.Array | Sequence[str], null: np.ndarray | None = None
) -> pa.DictionaryArray:
    """A dictionary-encoded string column: ``dictionary[index]`` without copying strings.

    Parquet files are written without the Arrow schema, so these read back as plain strings.
    """
    values = dictionary if isinstance(dictionary, pa.Array) else vocab(dictionary)
    if values.null_count:  # Parquet cannot store nulls inside a dictionary
        missing = np.take(values.is_null().to_numpy(zero_copy_only=False), index)
        null = missing if null is None else (null | missing)
        values = pc.fill_null(values, "")
    mask = None if null is None or not null.any() else null
    idx = np.where(mask, 0, index) if mask is not None else index
    indices = pa.array(np.asarray(idx, dtype=np.int32), type=pa.int32(), mask=mask)
    return pa.DictionaryArray.from_arrays(indices, values)


def int_strings(values: np.ndarray) -> pa.Array:
    """Non-negative integers as variable-width decimal strings."""
    return pa.array(np.asarray(values, dtype=np.int64)).cast(pa.string())
