"""Loaders: the fast path against the torchvision reference loop, batch by batch."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from core.data.datasets import ImageSplit, make_shapes10
from core.data.pipeline import Augment, make_loader
from core.errors import UserError

HALF = ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))  # Normalize(mean 0.5, std 0.5) of exercise C1


@pytest.fixture(scope="module")
def shapes():
    return make_shapes10(60, 10, seed=5).train


def position_split(count: int, size: int = 16) -> ImageSplit:
    """Images whose red/green values are row+1/column+1, so a crop tells where it came from."""
    rows, cols = np.meshgrid(np.arange(size) + 1, np.arange(size) + 1, indexing="ij")
    image = np.stack([rows, cols, np.full_like(rows, 200)], axis=-1).astype(np.uint8)
    images = np.repeat(image[None], count, axis=0)  # (N, S, S, 3)
    return ImageSplit(images, np.arange(count, dtype=np.int64) % 10)


def crop_parameters(loader, padding: int, size: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Recover each image's crop (top, left) and flip from position-coded loader output."""
    offsets, flips = [], []
    for x, _ in loader:
        codes = torch.round(x * 255).to(torch.int64)  # (B, 3, S, S)
        middle = size // 2  # always inside the original image when padding <= size / 4
        row = codes[:, 0, middle, middle] - 1
        col = codes[:, 1, middle, middle] - 1
        flipped = codes[:, 1, middle, middle + 1] < codes[:, 1, middle, middle]
        top = row + padding - middle
        left = torch.where(flipped, col + padding - (size - 1 - middle), col + padding - middle)
        offsets.append(torch.stack([top, left], dim=1))
        flips.append(flipped)
    return torch.cat(offsets).numpy(), torch.cat(flips).numpy()


def test_fast_and_reference_crops_and_flips_have_the_same_distribution():
    split, padding = position_split(2000), 4
    augment = Augment(flip=True, crop_padding=padding)
    torch.manual_seed(0)  # the reference transforms draw from the global generator
    results = [
        crop_parameters(make_loader(kind, split, batch_size=64, augment=augment, seed=0), padding)
        for kind in ("fast", "reference")
    ]
    span = 2 * padding + 1
    for axis in range(2):
        counts = [np.bincount(offsets[:, axis], minlength=span) for offsets, _ in results]
        assert all(len(c) == span for c in counts)
        assert stats.chisquare(counts[0]).pvalue > 1e-3
        assert stats.chi2_contingency(counts).pvalue > 1e-3
    flips = [int(flipped.sum()) for _, flipped in results]
    assert stats.chi2_contingency([flips, [2000 - f for f in flips]]).pvalue > 1e-3
    assert stats.binomtest(flips[0], 2000, 0.5).pvalue > 1e-3


def test_without_augmentation_fast_equals_reference_exactly(shapes):
    loaders = [
        make_loader(kind, shapes, batch_size=16, normalize=HALF) for kind in ("fast", "reference")
    ]
    for (x_fast, y_fast), (x_ref, y_ref) in zip(*loaders, strict=True):
        assert torch.equal(x_fast, x_ref) and torch.equal(y_fast, y_ref)


def test_resize_matches_torchvision_resize_closely(shapes):
    loaders = [make_loader(kind, shapes, batch_size=8, resize=56) for kind in ("fast", "reference")]
    (x_fast, _), (x_ref, _) = next(iter(loaders[0])), next(iter(loaders[1]))
    assert x_fast.shape == x_ref.shape == (8, 3, 56, 56)
    assert (x_fast - x_ref).abs().mean() < 0.01  # PIL rounds to uint8; tensors do not


@settings(max_examples=12, deadline=None)
@given(
    kind=st.sampled_from(["fast", "reference"]),
    batch_size=st.integers(1, 70),
    shuffle=st.booleans(),
    augment=st.sampled_from(["", "flip,crop", "flip,crop,jitter"]),
)
def test_every_image_once_per_epoch_with_documented_shapes(
    shapes, kind, batch_size, shuffle, augment
):
    loader = make_loader(
        kind,
        shapes,
        batch_size=batch_size,
        augment=Augment.from_names(augment),
        normalize=HALF,
        shuffle=shuffle,
        seed=1,
    )
    assert len(loader) == math.ceil(60 / batch_size)
    batches = list(loader)
    assert len(batches) == len(loader)
    for x, y in batches:
        assert x.dtype == torch.float32 and y.dtype == torch.int64
        assert x.shape[1:] == (3, 32, 32) and x.shape[0] == y.shape[0] <= batch_size
        assert -1.0 <= x.min() and x.max() <= 1.0
    labels = torch.cat([y for _, y in batches]).numpy()
    assert sorted(labels.tolist()) == sorted(shapes.labels.tolist())


@pytest.mark.parametrize("kind", ["fast", "reference"])
def test_epochs_reshuffle_deterministically(shapes, kind):
    def epoch_labels(loader, epoch):
        loader.set_epoch(epoch)
        return torch.cat([y for _, y in loader]).tolist()

    first = make_loader(kind, shapes, batch_size=7, shuffle=True, seed=3)
    second = make_loader(kind, shapes, batch_size=7, shuffle=True, seed=3)
    assert epoch_labels(first, 0) != epoch_labels(first, 1)
    assert epoch_labels(first, 2) == epoch_labels(second, 2)  # resume: same epoch, same order
    other_seed = make_loader(kind, shapes, batch_size=7, shuffle=True, seed=4)
    assert epoch_labels(other_seed, 2) != epoch_labels(first, 2)


def test_fast_epoch_is_reproducible_including_augmentation(shapes):
    augment = Augment(flip=True, crop_padding=4, jitter=0.3)
    a, b = (
        make_loader("fast", shapes, batch_size=16, augment=augment, shuffle=True, seed=8)
        for _ in range(2)
    )
    a.set_epoch(5)
    b.set_epoch(5)
    for (xa, ya), (xb, yb) in zip(a, b, strict=True):
        assert torch.equal(xa, xb) and torch.equal(ya, yb)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_batches_equal_cpu_batches_without_host_syncs(shapes):
    augment = Augment(flip=True, crop_padding=4, jitter=0.3)
    cpu, gpu = (
        make_loader(
            "fast",
            shapes,
            batch_size=8,
            augment=augment,
            normalize=HALF,
            shuffle=True,
            seed=2,
            device=device,
        )
        for device in ("cpu", "cuda")
    )
    batches = iter(gpu)
    first = next(batches)  # the epoch's parameters are sent to the device here, once
    torch.cuda.set_sync_debug_mode("error")
    try:
        rest = list(batches)
    finally:
        torch.cuda.set_sync_debug_mode("default")
    for (x_cpu, y_cpu), (x_gpu, y_gpu) in zip(cpu, [first, *rest], strict=True):
        torch.testing.assert_close(x_gpu.cpu(), x_cpu, atol=1e-5, rtol=0)
        assert torch.equal(y_gpu.cpu(), y_cpu)


def test_bad_loader_settings_are_user_errors(shapes):
    with pytest.raises(UserError, match="fast, reference"):
        make_loader("turbo", shapes, batch_size=4)
    with pytest.raises(UserError, match="Batch size"):
        make_loader("fast", shapes, batch_size=0)


@settings(max_examples=8, deadline=None)
@given(
    batch_size=st.integers(1, 23),
    chunk_batches=st.integers(2, 5),
    augment=st.sampled_from(["", "flip,crop", "flip,crop,jitter"]),
)
def test_batches_prepared_in_chunks_equal_batches_prepared_one_by_one(
    shapes, batch_size, chunk_batches, augment
):
    import core.data.pipeline

    def epoch(chunk_bytes):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(core.data.pipeline, "CHUNK_BYTES", chunk_bytes)
            loader = make_loader(
                "fast",
                shapes,
                batch_size=batch_size,
                shuffle=True,
                seed=2,
                augment=Augment.from_names(augment),
                normalize=HALF,
            )
            loader.set_epoch(3)
            return list(loader)

    image_bytes = 3 * 32 * 32 * 4
    one_by_one = epoch(1)  # below one batch: one batch per chunk
    chunked = epoch(chunk_batches * batch_size * image_bytes)
    assert len(chunked) == len(one_by_one) == math.ceil(60 / batch_size)
    for (x_one, y_one), (x_chunk, y_chunk) in zip(one_by_one, chunked, strict=True):
        assert torch.equal(y_one, y_chunk)
        torch.testing.assert_close(x_chunk, x_one, atol=1e-6, rtol=0)
