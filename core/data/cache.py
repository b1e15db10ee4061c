"""Generated Shapes-10 kept on disk, so browsing it does not regenerate 12,000 images each time.

Only the public `core.data.datasets` API is used. The cache file is keyed by the sizes, the seed and
a fingerprint of a tiny generated sample, so a change to the generator makes a new file instead
of serving stale images. CIFAR-10 is read from its own files and never cached here.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import replace
from pathlib import Path

import numpy as np

from core.data import datasets
from core.data.datasets import SHAPES_TEST_SIZE, SHAPES_TRAIN_SIZE, Dataset, ImageSplit
from core.paths import atomic_path
from core.paths import data_dir as resolve_data_dir

CACHE_FOLDER = "generated"  # under the data folder
FINGERPRINT_SIZE = 8  # images per split generated to fingerprint the generator


def cache_path(data_dir, train_size: int, test_size: int, seed: int, sample: Dataset) -> Path:
    """The file a Shapes-10 set with these parameters (and `sample`'s generator) is cached in."""
    return (
        resolve_data_dir(data_dir)
        / CACHE_FOLDER
        / (f"shapes10-{train_size}-{test_size}-seed{seed}-{_fingerprint(sample)}.npz")
    )


def generator_sample(seed: int = 0) -> Dataset:
    """A tiny Shapes-10 set from the current generator: it fingerprints the cache file."""
    return datasets.load_dataset(
        "shapes", train_size=FINGERPRINT_SIZE, test_size=FINGERPRINT_SIZE, seed=seed
    )


def load_dataset_cached(
    name: str,
    data_dir=None,
    *,
    train_size: int | None = None,
    test_size: int | None = None,
    seed: int = 0,
) -> Dataset:
    """`core.data.datasets.load_dataset` with the same arguments; generated Shapes-10 is cached.

    A missing, unreadable or unwritable cache only costs the time to generate the images.
    """
    sizes = dict(train_size=train_size, test_size=test_size, seed=seed)
    if name != "shapes":
        return datasets.load_dataset(name, data_dir, **sizes)
    sample = generator_sample(seed)
    path = cache_path(
        data_dir, train_size or SHAPES_TRAIN_SIZE, test_size or SHAPES_TEST_SIZE, seed, sample
    )
    try:
        with np.load(path) as stored:
            return _with_splits(sample, stored)
    except (OSError, ValueError, KeyError):
        pass
    dataset = datasets.load_dataset("shapes", data_dir, **sizes)
    _store(path, dataset)
    return dataset


def _fingerprint(sample: Dataset) -> str:
    digest = hashlib.sha256()
    for split in (sample.train, sample.test):
        digest.update(split.images.tobytes())
        digest.update(split.labels.tobytes())
    return digest.hexdigest()[:12]


def _with_splits(sample: Dataset, stored) -> Dataset:
    """`sample`'s metadata with the stored images and labels."""
    splits = {
        name: ImageSplit(
            np.asarray(stored[f"{name}_images"], dtype=np.uint8),
            np.asarray(stored[f"{name}_labels"], dtype=np.int64),
        )
        for name in ("train", "test")
    }
    return replace(sample, train=splits["train"], test=splits["test"], source=str(stored["source"]))


def _store(path: Path, dataset: Dataset) -> None:
    """Write the cache atomically (a half-written file is never read back)."""
    with contextlib.suppress(OSError), atomic_path(path) as partial, open(partial, "wb") as handle:
        np.savez(
            handle,
            train_images=dataset.train.images,
            train_labels=dataset.train.labels,
            test_images=dataset.test.images,
            test_labels=dataset.test.labels,
            source=np.array(dataset.source),
        )
