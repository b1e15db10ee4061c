"""Generated Shapes-10 is cached on disk: same images as generating, never stale, never fatal."""

from __future__ import annotations

import numpy as np
import pytest

import core.data.datasets
from core.data.cache import load_dataset_cached

REAL_LOAD = core.data.datasets.load_dataset
SIZES = dict(train_size=40, test_size=20)


@pytest.fixture
def calls(monkeypatch):
    """Every load_dataset call's sizes, passed on to the real loader."""
    seen = []

    def spy(name, data_dir=None, **kwargs):
        seen.append((name, kwargs.get("train_size"), kwargs.get("test_size")))
        return REAL_LOAD(name, data_dir, **kwargs)

    monkeypatch.setattr(core.data.datasets, "load_dataset", spy)
    return seen


def full_generations(calls) -> int:
    return sum(1 for call in calls if call == ("shapes", 40, 20))


def assert_same(dataset, expected) -> None:
    for split in ("train", "test"):
        got, want = getattr(dataset, split), getattr(expected, split)
        np.testing.assert_array_equal(got.images, want.images)
        np.testing.assert_array_equal(got.labels, want.labels)
        assert got.images.dtype == np.uint8 and got.labels.dtype == np.int64
    assert (dataset.classes, dataset.title, dataset.source, dataset.synthetic) == (
        expected.classes,
        expected.title,
        expected.source,
        expected.synthetic,
    )


def test_second_load_reads_the_cache_and_matches_fresh_generation(tmp_path, calls):
    expected = REAL_LOAD("shapes", **SIZES, seed=3)
    first = load_dataset_cached("shapes", tmp_path, **SIZES, seed=3)
    second = load_dataset_cached("shapes", tmp_path, **SIZES, seed=3)
    assert full_generations(calls) == 1
    assert_same(first, expected)
    assert_same(second, expected)
    assert len(list((tmp_path / "generated").glob("*.npz"))) == 1


def test_other_parameters_or_generator_get_their_own_file(tmp_path, calls, monkeypatch):
    load_dataset_cached("shapes", tmp_path, **SIZES, seed=0)
    load_dataset_cached("shapes", tmp_path, **SIZES, seed=1)
    assert full_generations(calls) == 2

    def changed_generator(name, data_dir=None, **kwargs):
        dataset = REAL_LOAD(name, data_dir, **kwargs)
        dataset.train.images[:] = 255 - dataset.train.images
        return dataset

    monkeypatch.setattr(core.data.datasets, "load_dataset", changed_generator)
    served = load_dataset_cached("shapes", tmp_path, **SIZES, seed=0)
    np.testing.assert_array_equal(
        served.train.images, 255 - REAL_LOAD("shapes", **SIZES, seed=0).train.images
    )
    assert len(list((tmp_path / "generated").glob("*.npz"))) == 3


def test_a_corrupt_or_unwritable_cache_only_costs_time(tmp_path, calls):
    expected = REAL_LOAD("shapes", **SIZES)
    load_dataset_cached("shapes", tmp_path, **SIZES)
    (cached,) = (tmp_path / "generated").glob("*.npz")
    cached.write_bytes(b"not an npz file")
    assert_same(load_dataset_cached("shapes", tmp_path, **SIZES), expected)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the data folder should be")
    assert_same(load_dataset_cached("shapes", blocked, **SIZES), expected)
    assert full_generations(calls) == 3
