"""``synth.arrays.ArrayRecords``: records taken and joined field by field."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baophu.synth.arrays import ArrayRecords


@dataclass
class Pairs(ArrayRecords):
    key: np.ndarray
    flag: np.ndarray


def test_take_and_concat_field_by_field() -> None:
    p = Pairs(key=np.array([10, 20, 30]), flag=np.array([True, False, True]))
    some = p.take(np.array([2, 0]))
    assert isinstance(some, Pairs)
    assert some.key.tolist() == [30, 10] and some.flag.tolist() == [True, True]
    assert p.take(p.flag).key.tolist() == [10, 30]
    joined = Pairs.concat([p, some])
    assert isinstance(joined, Pairs)
    assert joined.key.tolist() == [10, 20, 30, 30, 10]
    assert joined.flag.tolist() == [True, False, True, True, True]
