"""On-device augmentation vs torchvision: same output for the same parameters, same draws."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from torchvision import transforms
from torchvision.transforms import functional as TF

from core.data.augment import Augment, augment_batch, draw_params
from core.errors import UserError


def random_images(seed: int, count: int, size: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (count, 3, size, size), dtype=torch.uint8, generator=generator)


def torchvision_crop_flip(image: torch.Tensor, top: int, left: int, flip: bool, padding: int):
    """What RandomCrop(size, padding) + RandomHorizontalFlip do for these parameters."""
    size = image.shape[-1]
    out = TF.crop(TF.pad(image, [padding], fill=0), top, left, size, size)
    return TF.hflip(out) if flip else out


JITTER_OPS = (TF.adjust_brightness, TF.adjust_contrast, TF.adjust_saturation)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    count=st.integers(1, 12),
    size=st.sampled_from([8, 13, 32]),
    padding=st.integers(0, 6),
    flip=st.booleans(),
)
def test_crop_and_flip_equal_torchvision_for_the_same_parameters(seed, count, size, padding, flip):
    images = random_images(seed, count, size)  # (B, 3, S, S) uint8
    augment = Augment(flip=flip, crop_padding=padding)
    params = draw_params(count, augment, torch.Generator().manual_seed(seed))
    ours = augment_batch(images, augment, torch.Generator().manual_seed(seed))
    for index in range(count):
        top, left = params.offsets[index].tolist()
        flip = bool(params.flips[index])
        expected = torchvision_crop_flip(images[index], top, left, flip, padding)
        assert torch.equal(ours[index], expected.float().div(255))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31), count=st.integers(1, 8), strength=st.floats(0.05, 0.9))
def test_color_jitter_equals_torchvision_ops_in_the_same_order(seed, count, strength):
    images = random_images(seed, count, 9)
    augment = Augment(crop_padding=2, flip=True, jitter=strength)
    params = draw_params(count, augment, torch.Generator().manual_seed(seed))
    ours = augment_batch(images, augment, torch.Generator().manual_seed(seed))
    for index in range(count):
        top, left = params.offsets[index].tolist()
        image = torchvision_crop_flip(images[index], top, left, bool(params.flips[index]), 2)
        expected = image.float().div(255)
        for op in params.order[index].tolist():
            expected = JITTER_OPS[op](expected, float(params.factors[index, op]))
        torch.testing.assert_close(ours[index], expected, atol=2e-6, rtol=0)


def test_crop_offsets_and_flips_are_distributed_like_torchvision():
    count, padding = 20_000, 4
    augment = Augment(flip=True, crop_padding=padding)
    ours = draw_params(count, augment, torch.Generator().manual_seed(1))
    torch.manual_seed(2)
    crop, flip = transforms.RandomCrop(32, padding=padding), transforms.RandomHorizontalFlip()
    padded = torch.zeros(3, 40, 40)
    theirs = torch.tensor([crop.get_params(padded, (32, 32)) for _ in range(count)])  # (N, 2)
    their_flips = torch.tensor([bool(torch.rand(1) < flip.p) for _ in range(count)])
    span = 2 * padding + 1
    for axis in range(2):
        our_counts = np.bincount(ours.offsets[:, axis].numpy(), minlength=span)
        their_counts = np.bincount(theirs[:, axis].numpy(), minlength=span)
        assert len(our_counts) == len(their_counts) == span  # offsets 0..2p, nothing outside
        assert stats.chisquare(our_counts).pvalue > 1e-3  # uniform, like RandomCrop
        assert stats.chi2_contingency([our_counts, their_counts]).pvalue > 1e-3
    flips = [int(ours.flips.sum()), int(their_flips.sum())]
    assert stats.binomtest(flips[0], count, 0.5).pvalue > 1e-3
    assert stats.chi2_contingency([flips, [count - flips[0], count - flips[1]]]).pvalue > 1e-3


def test_jitter_factors_and_order_are_distributed_like_color_jitter():
    count, strength = 5_000, 0.4
    ours = draw_params(count, Augment(jitter=strength), torch.Generator().manual_seed(3))
    torch.manual_seed(4)
    jitter = transforms.ColorJitter(brightness=strength, contrast=strength, saturation=strength)
    draws = [
        jitter.get_params(jitter.brightness, jitter.contrast, jitter.saturation, None)
        for _ in range(count)
    ]
    their_factors = np.array([[b, c, s] for _, b, c, s, _ in draws])  # (N, 3)
    for op in range(3):
        assert stats.ks_2samp(ours.factors[:, op].numpy(), their_factors[:, op]).pvalue > 1e-3
    assert ours.factors.min() >= 1 - strength and ours.factors.max() <= 1 + strength
    their_orders = [tuple(int(i) for i in order if i < 3) for order, *_ in draws]
    perms = sorted(set(their_orders))
    assert len(perms) == 6
    our_orders = [tuple(row) for row in ours.order.tolist()]
    table = [[our_orders.count(p) for p in perms], [their_orders.count(p) for p in perms]]
    assert stats.chi2_contingency(table).pvalue > 1e-3


def test_disabled_augmentations_draw_identity_parameters():
    params = draw_params(500, Augment(), torch.Generator().manual_seed(0))
    assert not params.flips.any() and not params.offsets.any()
    assert torch.equal(params.factors, torch.ones(500, 3))


def test_augment_names_parse_and_reject_unknown_ones():
    assert Augment.from_names("flip,crop") == Augment(flip=True, crop_padding=4)
    assert Augment.from_names("none") == Augment()
    assert Augment.from_names("jitter").jitter > 0
    with pytest.raises(UserError, match="rotate"):
        Augment.from_names("flip,rotate")
    with pytest.raises(UserError):
        Augment(crop_padding=-1)
