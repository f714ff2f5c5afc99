"""``among``: membership of a corpus's integers in a few, as ``np.isin`` gives it."""

import numpy as np
import pytest

from validators.features.lookup import among


@pytest.mark.parametrize("dtype", [np.uint32, np.uint64, np.int64])
@pytest.mark.parametrize("few", [1, 7, 300, 5_000])
def test_among_agrees_with_isin_on_values_sought_and_not(dtype, few):
    rng = np.random.default_rng(few)
    info = np.iinfo(dtype)
    values = rng.integers(info.min, info.max, 50_000, dtype=dtype, endpoint=True)
    # Half of the few are the corpus's; half are not, and of those some share their low bits
    # with a corpus value (the table's false leads): only the search may turn them down.
    present = values[rng.integers(0, len(values), few // 2 + 1)]
    shifted = (values[rng.integers(0, len(values), few // 2)] ^ dtype(1 << 30)).astype(dtype)
    sought = np.concatenate([present, shifted])
    found = among(values, sought)
    assert found.dtype == bool and found.shape == values.shape
    assert np.array_equal(found, np.isin(values, sought))
    assert found.any() and not found.all()


def test_among_takes_an_iterable_and_repeats_and_answers_nothing_for_nothing():
    values = np.array([5, 9, 5, 2**40, 7], dtype=np.uint64)
    assert among(values, iter([5, 5, 2**40])).tolist() == [True, False, True, True, False]
    assert not among(values, []).any()
    assert among(np.zeros(0, dtype=np.uint64), [1]).tolist() == []
