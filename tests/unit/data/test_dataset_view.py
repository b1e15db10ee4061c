"""The Dataset browser's core: pages per class, and previews made by the training loader."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from core.data import augment as augment_module
from core.data.augment import Augment
from core.data.datasets import ImageSplit
from core.data.normalize import CIFAR_MEAN_STD
from core.data.pipeline import make_loader
from core.data.png import write_grid_png
from core.data.view import (
    NORMALIZED_RANGE,
    AugmentChoice,
    augmented_copies,
    class_counts,
    examples_per_class,
    pages,
)
from core.errors import UserError

torch.set_num_threads(1)


def random_images(count: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (count, 8, 8, 3), dtype=np.uint8)


@settings(max_examples=30, deadline=None)
@given(
    labels=st.lists(st.integers(0, 4), min_size=1, max_size=60),
    per_class=st.integers(1, 7),
    page=st.integers(0, 5),
)
def test_examples_per_class_pages_through_each_class_in_order(labels, per_class, page):
    split = ImageSplit(np.zeros((len(labels), 2, 2, 3), np.uint8), np.array(labels, np.int64))
    chosen = examples_per_class(split, 5, per_class, page)
    for label in range(5):
        expected = [i for i, y in enumerate(labels) if y == label][page * per_class :][:per_class]
        assert chosen[label].tolist() == expected
    assert class_counts(split, 5) == tuple(labels.count(label) for label in range(5))
    largest = max(labels.count(k) for k in range(5))
    assert pages(split, 5, per_class) == max(1, -(-largest // per_class))


def test_preview_is_exactly_what_the_training_loader_feeds():
    images = random_images(6)
    choice = AugmentChoice(flip=True, crop=True, jitter=True, normalize=True)
    copies, (low, high) = augmented_copies(images, choice, copies=2, seed=3, roll=4)
    loader = make_loader(
        "fast",
        ImageSplit(images, np.zeros(6, np.int64)),
        batch_size=6,
        augment=Augment.from_names("flip,crop,jitter"),
        normalize=CIFAR_MEAN_STD,
        seed=3,
    )
    for copy in range(2):
        loader.set_epoch(4 * 2 + copy)
        ((x, _),) = list(loader)
        values = x.numpy().transpose(0, 2, 3, 1)  # (B, H, W, 3)
        shown = np.clip((values + NORMALIZED_RANGE) / (2 * NORMALIZED_RANGE), 0, 1)
        np.testing.assert_array_equal(copies[copy], np.round(shown * 255).astype(np.uint8))
        assert low <= x.min().item() and x.max().item() <= high


def test_preview_goes_through_the_pipeline_augmentation_code(monkeypatch):
    calls = []
    original = augment_module.color_jitter

    def spy(images, params):
        calls.append(images.shape)
        return original(images, params)

    monkeypatch.setattr("core.data.pipeline.color_jitter", spy)
    augmented_copies(random_images(3), AugmentChoice(jitter=True), copies=2)
    assert calls == [torch.Size([3, 3, 8, 8])] * 2


def test_flip_only_gives_the_original_or_its_mirror():
    images = random_images(40, seed=1)
    (flipped,), _ = augmented_copies(images, AugmentChoice(flip=True, crop=False), seed=5)
    mirrored = [np.array_equal(out, img[:, ::-1]) for out, img in zip(flipped, images)]
    same = [np.array_equal(out, img) for out, img in zip(flipped, images)]
    assert all(m or s for m, s in zip(mirrored, same))
    assert 5 < sum(mirrored) < 35  # p = 0.5 per image


def test_crop_is_a_window_of_the_zero_padded_image():
    images = random_images(10, seed=2)
    (cropped,), _ = augmented_copies(images, AugmentChoice(flip=False, crop=True), seed=7)
    for out, image in zip(cropped, images):
        padded = np.pad(image, ((4, 4), (4, 4), (0, 0)))
        windows = [padded[top : top + 8, left : left + 8] for top in range(9) for left in range(9)]
        assert any(np.array_equal(out, window) for window in windows)


def test_normalised_preview_matches_the_formula_and_rerolls_differ():
    images = random_images(4, seed=3)
    (shown,), (low, high) = augmented_copies(images, AugmentChoice(False, False, False, True))
    mean, std = (np.array(v, np.float32) for v in CIFAR_MEAN_STD)
    values = (images / 255.0 - mean) / std
    expected = np.round(np.clip((values + 2.5) / 5.0, 0, 1) * 255).astype(np.uint8)
    assert np.abs(shown.astype(int) - expected.astype(int)).max() <= 1
    assert low == pytest.approx(values.min(), abs=1e-5)
    assert high == pytest.approx(values.max(), abs=1e-5)
    first, _ = augmented_copies(images, AugmentChoice(), roll=0)
    again, _ = augmented_copies(images, AugmentChoice(), roll=0)
    other, _ = augmented_copies(images, AugmentChoice(), roll=1)
    np.testing.assert_array_equal(first[0], again[0])
    assert not np.array_equal(first[0], other[0])


def test_augment_choice_parses_toggles_and_rejects_unknown_names():
    choice = AugmentChoice.from_names("flip, normalize")
    assert (choice.flip, choice.crop, choice.jitter, choice.normalize) == (True, False, False, True)
    assert choice.toggled("crop").crop and choice.describe() == "flip, normalize"
    assert AugmentChoice.from_names("none").describe() == "none"
    with pytest.raises(UserError, match="rotate"):
        AugmentChoice.from_names("rotate")
    with pytest.raises(UserError, match="per-class"):
        examples_per_class(ImageSplit(random_images(2), np.zeros(2, np.int64)), 1, 0)


def test_grid_png_has_one_cell_per_image(tmp_path):
    from PIL import Image

    rows = [("a", list(random_images(3))), ("b", list(random_images(2, seed=4)))]
    path = write_grid_png(tmp_path / "grid.png", rows, ["x", "y", "z"], scale=2)
    image = np.asarray(Image.open(path))
    # The third image of row "a" sits at column 2, row 0 (label column 90 px, 4 px gaps).
    top = 16
    left = 90 + 2 * (8 * 2 + 4)
    np.testing.assert_array_equal(image[top : top + 16 : 2, left : left + 16 : 2], rows[0][1][2])
    with pytest.raises(UserError, match=".png"):
        write_grid_png(tmp_path / "grid.jpg", rows)
