"""Writing the generated tables: Parquet, CSV and Excel, checked against the data contracts.

Every input file carries exactly its contract's columns, in contract order: Parquet with the
canonical English names and types (date32 dates, months as their first day, int64 integers,
strings for every identifier); CSV and Excel with the Vietnamese headers, dates as dd/mm/yyyy
and, where the contract knows a Vietnamese spelling of an enumeration, that spelling — as a
real export would look.  Output is deterministic: no timestamps anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from baophu.contracts.model import ARROW_TYPES, Contract
from baophu.contracts.tables import CONTRACTS
from baophu.synth.strings import vn_dates
from baophu.synth.xlsx import Sheet, write_xlsx

# Vietnamese spellings written to CSV and Excel (each folds to a value alias of the contract)
VIETNAMESE_VALUES: dict[str, dict[str, str]] = {
    "sex": {"male": "Nam", "female": "Nữ"},
    "classification": {
        "poor": "Hộ nghèo",
        "near_poor": "Hộ cận nghèo",
        "farming_average": "Hộ nông lâm ngư diêm nghiệp có mức sống trung bình",
    },
    "department": {"finance": "Sở Tài chính", "home_affairs": "Sở Nội vụ", "health": "Sở Y tế"},
    "benefit": {
        "social_pension": "Trợ cấp hưu trí xã hội",
        "survivor_allowance": "Trợ cấp tuất hằng tháng",
    },
    "status": {"active": "Đang hoạt động", "suspended": "Tạm ngừng", "dissolved": "Giải thể"},
    "ownership": {
        "fdi": "Vốn đầu tư nước ngoài",
        "private": "Ngoài nhà nước",
        "state": "Nhà nước",
        "household_business": "Hộ kinh doanh",
        "cooperative": "Hợp tác xã",
    },
}


def conform(table: pa.Table, contract: Contract) -> pa.Table:
    """``table`` with exactly the contract's columns, in order, cast to the contract's types."""
    missing = [c.name for c in contract.columns if c.name not in table.column_names]
    extra = [n for n in table.column_names if n not in contract.names]
    if missing or extra:
        raise ValueError(f"{contract.table}: missing {missing}, unexpected {extra}")
    arrays = []
    for c in contract.columns:
        column = table[c.name]
        target = ARROW_TYPES[c.dtype]
        if not (pa.types.is_dictionary(column.type) and column.type.value_type == target):
            column = column.cast(target)
        arrays.append(column)
    return pa.table(arrays, names=contract.names)


ROW_GROUP = 1 << 20


def _plain(table: pa.Table) -> pa.Table:
    """Dictionary-encoded columns decoded to their value type.

    Writing Arrow dictionaries directly is not byte-for-byte reproducible (a dictionary made
    by a compute kernel may carry unzeroed bytes), so files always get plain columns.
    """
    return pa.table(
        [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns],
        names=table.column_names,
    )


def write_parquet(
    table: pa.Table, path: Path, contract: str | None = None, order: np.ndarray | None = None
) -> None:
    """Parquet (zstd); with ``contract``, conformed to it first; with ``order``, rows reordered.

    Rows are decoded and written one row group at a time, which bounds the memory used.
    The Arrow schema is not stored (nothing run-specific in the file); statistics are written
    for the non-text columns.
    """
    if contract is not None:
        table = conform(table, CONTRACTS[contract])
    schema = pa.schema(
        [
            pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
            for f in table.schema
        ]
    )
    stats = [f.name for f in schema if not (pa.types.is_string(f.type) or pa.types.is_list(f.type))]
    with pq.ParquetWriter(
        path, schema, compression="zstd", store_schema=False, write_statistics=stats or False
    ) as writer:
        for lo in range(0, max(table.num_rows, 1), ROW_GROUP):
            if order is not None:
                part = table.take(pa.array(order[lo : lo + ROW_GROUP]))
            else:
                part = table.slice(lo, ROW_GROUP)
            writer.write_table(_plain(part).cast(schema), row_group_size=ROW_GROUP)


def _vietnamese(table: pa.Table, contract: Contract) -> tuple[list[str], list[pa.Array]]:
    """Headers and display columns: dates dd/mm/yyyy, Vietnamese enumeration spellings."""
    arrays: list[pa.Array] = []
    for col in contract.columns:
        values = table[col.name].combine_chunks()
        if pa.types.is_dictionary(values.type):
            values = values.cast(values.type.value_type)
        if col.dtype in ("date", "month"):
            days = values.to_numpy(zero_copy_only=False).astype("datetime64[D]")
            values = vn_dates(days)
        elif col.name in VIETNAMESE_VALUES and col.allowed:
            mapping = VIETNAMESE_VALUES[col.name]
            keys = pa.array(list(mapping))
            idx = pc.index_in(values, value_set=keys)
            values = pc.if_else(
                pc.is_null(idx), values, pa.array(list(mapping.values())).take(pc.fill_null(idx, 0))
            )
        arrays.append(values)
    return [c.vi for c in contract.columns], arrays


def write_csv(table: pa.Table, path: Path, contract: str) -> None:
    """CSV, UTF-8 with BOM, Vietnamese headers and dates, the contract's columns."""
    c = CONTRACTS[contract]
    table = conform(table, c)
    headers, arrays = _vietnamese(table, c)
    body = pa.table(arrays, names=[f"c{i}" for i in range(len(arrays))])
    with path.open("wb") as fh:
        fh.write(b"\xef\xbb\xbf")
        fh.write((",".join(_csv_quote(h) for h in headers) + "\r\n").encode("utf-8"))
        pacsv.write_csv(
            body, fh, pacsv.WriteOptions(include_header=False, quoting_style="needed", eol="\r\n")
        )


def _csv_quote(text: str) -> str:
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def excel_sheet(
    table: pa.Table, contract: str, titles: Sequence[str], widths: Sequence[float] | None = None
) -> Sheet:
    """A ``Sheet`` of ``table`` with the contract's Vietnamese headers and spellings."""
    c = CONTRACTS[contract]
    table = conform(table, c)
    headers, arrays = _vietnamese(table, c)
    return Sheet(titles=list(titles), headers=headers, columns=arrays, widths=widths)


def write_excel(path: Path, sheet: Sheet) -> None:
    write_xlsx(path, sheet)


def split_by(key: np.ndarray, n_groups: int) -> list[np.ndarray]:
    """Row indices of each group 0..n_groups-1 (rows keep their order within a group)."""
    order = np.argsort(key, kind="stable")
    bounds = np.searchsorted(key[order], np.arange(n_groups + 1))
    return [order[bounds[i] : bounds[i + 1]] for i in range(n_groups)]
