"""Datasets: the real CIFAR-10 format (torchvision's reader as the oracle), Shapes-10, errors."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.data.datasets import (
    CIFAR10_CLASSES,
    CIFAR10_FOLDER,
    DataMissingError,
    cifar10_folder,
    default_dataset_name,
    load_dataset,
    make_shapes10,
    write_cifar10_fixture,
)
from core.data.shapes10 import CLASSES as SHAPES_CLASSES
from core.errors import UserError


def torchvision_cifar10(root, train: bool):
    """torchvision's own CIFAR10 reader over `root`, with only its md5 checks bypassed."""
    from torchvision.datasets import CIFAR10

    class UncheckedCIFAR10(CIFAR10):
        meta = {**CIFAR10.meta, "md5": None}  # check_integrity(path, None) = file exists

        def _check_integrity(self) -> bool:
            return True

    return UncheckedCIFAR10(str(root), train=train, download=False)


@settings(max_examples=6, deadline=None)
@given(train_size=st.integers(5, 40), test_size=st.integers(1, 15), seed=st.integers(0, 99))
def test_fixture_reads_back_identically_with_torchvision_and_our_reader(
    tmp_path_factory, train_size, test_size, seed
):
    root = tmp_path_factory.mktemp("cifar")
    folder = write_cifar10_fixture(root, train_size=train_size, test_size=test_size, seed=seed)
    assert folder == root / CIFAR10_FOLDER
    ours = load_dataset("cifar10", root)
    for train, split in ((True, ours.train), (False, ours.test)):
        oracle = torchvision_cifar10(root, train)
        np.testing.assert_array_equal(split.images, oracle.data)
        np.testing.assert_array_equal(split.labels, np.asarray(oracle.targets))
        assert split.images.dtype == np.uint8 and split.labels.dtype == np.int64
        assert ours.classes == tuple(oracle.classes) == CIFAR10_CLASSES
    drawn = make_shapes10(train_size, test_size, seed=seed)
    np.testing.assert_array_equal(ours.train.images, drawn.train.images)
    np.testing.assert_array_equal(ours.test.labels, drawn.test.labels)
    assert ours.synthetic is False and ours.title == "CIFAR-10" and ours.source == str(folder)


def test_batch_files_hold_the_documented_row_layout(tmp_path):
    folder = write_cifar10_fixture(tmp_path, train_size=10, test_size=3)
    with open(folder / "test_batch", "rb") as file:
        entry = pickle.load(file, encoding="bytes")
    rows = entry["data"]
    assert rows.shape == (3, 3072) and rows.dtype == np.uint8
    image = load_dataset("cifar10", tmp_path).test.images[1]  # (32, 32, 3)
    assert rows[1][:1024].tolist() == image[..., 0].ravel().tolist()  # red plane first
    assert rows[1][2048:].tolist() == image[..., 2].ravel().tolist()  # blue plane last
    assert sorted(entry) == ["batch_label", "data", "filenames", "labels"]


def test_sizes_cut_cifar10_short(tmp_path):
    write_cifar10_fixture(tmp_path, train_size=30, test_size=10)
    dataset = load_dataset("cifar10", tmp_path, train_size=12, test_size=4)
    assert len(dataset.train) == 12 and len(dataset.test) == 4
    assert dataset.train.images.shape == (12, 32, 32, 3)


def test_data_folder_comes_from_env_or_may_be_the_batches_folder(tmp_path, monkeypatch):
    folder = write_cifar10_fixture(tmp_path, train_size=10, test_size=2)
    monkeypatch.setenv("CNN_TUI_DATA", str(tmp_path))
    assert cifar10_folder() == folder
    assert default_dataset_name() == "cifar10"
    assert len(load_dataset("cifar10").train) == 10
    assert len(load_dataset("cifar10", folder).test) == 2


def test_missing_cifar10_names_the_folder_and_the_fetch_command(tmp_path):
    with pytest.raises(DataMissingError) as caught:
        load_dataset("cifar10", tmp_path)
    message = str(caught.value)
    assert str(tmp_path / CIFAR10_FOLDER) in message
    assert "cnn-tui data fetch cifar10" in message and "--dataset shapes" in message
    assert default_dataset_name(tmp_path) == "shapes"


def test_a_corrupt_batch_is_a_user_error_not_a_traceback(tmp_path):
    folder = write_cifar10_fixture(tmp_path, train_size=10, test_size=2)
    (folder / "data_batch_3").write_bytes(b"not a pickle")
    with pytest.raises(DataMissingError, match="data_batch_3"):
        load_dataset("cifar10", tmp_path)


def test_unknown_dataset_and_bad_sizes_are_user_errors():
    with pytest.raises(UserError, match="cifar10, shapes"):
        load_dataset("mnist")
    with pytest.raises(UserError, match="train_size"):
        load_dataset("shapes", train_size=0)


def test_shapes10_is_balanced_seeded_and_labelled_synthetic():
    dataset = load_dataset("shapes", train_size=200, test_size=50, seed=3)
    assert dataset.synthetic and "synthetic" in dataset.title
    assert dataset.classes == SHAPES_CLASSES and len(set(dataset.classes)) == 10
    assert dataset.train.images.shape == (200, 32, 32, 3)
    assert dataset.train.images.dtype == np.uint8 and dataset.train.labels.dtype == np.int64
    assert np.bincount(dataset.train.labels, minlength=10).tolist() == [20] * 10
    again = load_dataset("shapes", train_size=200, test_size=50, seed=3)
    np.testing.assert_array_equal(dataset.train.images, again.train.images)
    other = load_dataset("shapes", train_size=200, test_size=50, seed=4)
    assert not np.array_equal(dataset.train.images, other.train.images)
    assert not np.array_equal(dataset.train.images[:50], dataset.test.images)


def test_shapes10_classes_differ_in_shape_not_in_colour_or_brightness():
    """Colour statistics alone must not give the class away (else the task is trivial)."""
    dataset = make_shapes10(2000, 10, seed=0)
    means = dataset.train.images.reshape(2000, -1, 3).mean(axis=1)  # (N, 3) mean colour
    per_class = np.stack([means[dataset.train.labels == c].mean(axis=0) for c in range(10)])
    assert np.ptp(per_class, axis=0).max() < 20  # class-average colours within 20 levels
    # every class is drawn: the foreground differs from the background in every image
    spread = dataset.train.images.reshape(2000, -1).astype(np.float32).std(axis=1)
    assert spread.min() > 15
