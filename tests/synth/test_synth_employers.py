"""The employer population hits the seeds' workforce exactly, at any scale and province."""

from __future__ import annotations

from datetime import date

import pytest

from baophu.synth.context import Context
from baophu.synth.employers import build_firms
from baophu.synth.field import build_field
from baophu.synth.geography import build_geography, resolve_province


@pytest.mark.parametrize("province", ["Đồng Nai", "Hồ Chí Minh", "Cao Bằng"])
@pytest.mark.parametrize("scale", [1.0, 0.05, 0.002])
def test_true_and_declared_workforce_match_the_seeds(province: str, scale: float) -> None:
    info = resolve_province(province)
    ctx = Context(info, scale, 11, date(2026, 10, 31))
    geo = build_geography(info, 11)
    firms = build_firms(ctx, geo, build_field(ctx, geo))
    factor = scale * info.population / 4_500_000
    required, participants = round(1_174_298 * factor), round(1_115_590 * factor)
    registered = slice(0, firms.n_registered)
    assert firms.size.sum() == required
    assert firms.size[registered].sum() - firms.hidden[registered].sum() == participants
    assert (firms.hidden <= firms.size).all()
    assert (firms.size[registered] - firms.hidden[registered] >= 1).all()
    assert firms.n_registered == max(8, round(35_000 * factor))


def test_vietnamese_spellings_fold_to_the_contracts_aliases() -> None:
    from baophu.contracts.model import fold_header
    from baophu.contracts.tables import CONTRACTS
    from baophu.synth.writers import VIETNAMESE_VALUES

    columns = {c.name: c for contract in CONTRACTS.values() for c in contract.columns}
    for name, spellings in VIETNAMESE_VALUES.items():
        column = columns[name]
        for code, text in spellings.items():
            assert column.value_aliases[fold_header(text)] == code, (name, text)


def test_firm_addresses_number_commune_and_province() -> None:
    import numpy as np
    import pyarrow as pa

    from baophu.synth.employers import firm_addresses

    class Communes:
        def arrow(self, name: str) -> pa.Array:
            assert name == "commune_names"
            return pa.array(["Phường Tam Hiệp", "Xã Phú Hữu"])

    numbers = np.random.default_rng(5).integers(1, 999, 3)  # the house numbers drawn
    got = firm_addresses(np.random.default_rng(5), Communes(), np.array([1, 0, 1]), "Đồng Nai")  # type: ignore[arg-type]
    assert got.to_pylist() == [
        f"Số {numbers[0]}, Xã Phú Hữu, Đồng Nai",
        f"Số {numbers[1]}, Phường Tam Hiệp, Đồng Nai",
        f"Số {numbers[2]}, Xã Phú Hữu, Đồng Nai",
    ]
