"""Batched, on-device image augmentation with the same per-image distributions as torchvision.

`RandomCrop(size, padding=p)` (zero fill), `RandomHorizontalFlip()` (p = 0.5) and
`ColorJitter(brightness=j, contrast=j, saturation=j)` draw one set of parameters per image;
here the parameters for a whole epoch are drawn at once on the host from a seeded generator
(`draw_params`) and applied to many images per call with tensor ops: crop and flip are a single
gather that also picks the batch out of the device-resident dataset, and each jitter step is a
single blend. The fast training loader and the Dataset screen's preview use this same code.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from core.data.augment_names import parse_augment_names
from core.errors import UserError

AUGMENT_NAMES = ("flip", "crop", "jitter")
DEFAULT_CROP_PADDING = 4  # pixels of zero padding per side, as in RandomCrop(32, padding=4)
DEFAULT_JITTER = 0.2  # ColorJitter(brightness=0.2, contrast=0.2, saturation=0.2)
GRAY_WEIGHTS = (0.2989, 0.587, 0.114)  # torchvision's rgb_to_grayscale luma weights


@dataclass(frozen=True)
class Augment:
    """Which training augmentations to apply (all off by default)."""

    flip: bool = False  # horizontal flip with probability 0.5
    crop_padding: int = 0  # zero padding per side before a random crop back to size; 0 = off
    jitter: float = 0.0  # brightness/contrast/saturation strength j; factors ~ U[max(0,1-j), 1+j]

    def __post_init__(self) -> None:
        if self.crop_padding < 0:
            raise UserError(f"Crop padding must be 0 or more pixels, not {self.crop_padding}.")
        if self.jitter < 0:
            raise UserError(f"Colour jitter strength must be 0 or more, not {self.jitter}.")

    @property
    def active(self) -> bool:
        """Whether any augmentation is on."""
        return self.flip or self.crop_padding > 0 or self.jitter > 0

    @classmethod
    def from_names(cls, text: str) -> Augment:
        """Parse `flip,crop,jitter` (any subset, or `none`) with the default strengths."""
        names = parse_augment_names(text, AUGMENT_NAMES)
        return cls(
            flip="flip" in names,
            crop_padding=DEFAULT_CROP_PADDING if "crop" in names else 0,
            jitter=DEFAULT_JITTER if "jitter" in names else 0.0,
        )


@dataclass(frozen=True)
class AugmentParams:
    """Random parameters for a run of images, one row per image."""

    offsets: Tensor  # (N, 2) int64 crop top and left inside the padded image, in [0, 2p]
    flips: Tensor  # (N,) bool, True = mirror left-right
    factors: Tensor  # (N, 3) float32 brightness, contrast and saturation factors
    order: Tensor  # (N, 3) int64 order in which the jitter ops run (0 b, 1 c, 2 s)

    def to(self, device: torch.device | str) -> AugmentParams:
        """The same parameters on `device` (one transfer per epoch, not per step)."""
        return AugmentParams(*(tensor.to(device) for tensor in self._tensors()))

    def take(self, index: Tensor | slice) -> AugmentParams:
        """The rows of `index`, e.g. one batch of an epoch's parameters."""
        return AugmentParams(*(tensor[index] for tensor in self._tensors()))

    def _tensors(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        return self.offsets, self.flips, self.factors, self.order


def draw_params(count: int, augment: Augment, generator: torch.Generator) -> AugmentParams:
    """Draw every parameter for `count` images (all drawn even when off, so streams align)."""
    span = 2 * augment.crop_padding + 1  # RandomCrop.get_params: randint(0, h - th + 1)
    offsets = torch.randint(0, span, (count, 2), generator=generator)  # (N, 2)
    flips = torch.rand(count, generator=generator) < 0.5  # RandomHorizontalFlip: rand(1) < p
    flips &= augment.flip
    low, high = max(0.0, 1.0 - augment.jitter), 1.0 + augment.jitter
    factors = low + (high - low) * torch.rand(count, 3, generator=generator)  # (N, 3)
    order = torch.argsort(torch.rand(count, 3, generator=generator), dim=1)  # (N, 3) perms
    return AugmentParams(offsets, flips, factors, order)


def pad_images(images: Tensor, padding: int) -> Tensor:
    """Zero-pad images (N, C, H, W) by `padding` pixels on every side, as one contiguous block."""
    if padding == 0:
        return images.contiguous()
    n, c, h, w = images.shape
    padded = images.new_zeros((n, c, h + 2 * padding, w + 2 * padding))
    padded[:, :, padding : padding + h, padding : padding + w] = images
    return padded  # (N, C, H + 2p, W + 2p)


@dataclass(frozen=True)
class CropPlan:
    """Where every output pixel of a run of crops comes from in flat padded storage."""

    starts: Tensor  # (N, C, H) int address of column 0 of each source row (image, channel)
    cols: Tensor  # (N, W) int source column of each output column (mirrored when flipped)

    def take(self, index: slice) -> CropPlan:
        """The rows of `index`, e.g. one batch of an epoch's plan."""
        return CropPlan(self.starts[index], self.cols[index])


def plan_crops(
    index: Tensor,
    params: AugmentParams,
    storage: tuple[int, int, int],
    size: tuple[int, int],
    dtype: torch.dtype = torch.int64,
) -> CropPlan:
    """The crop-and-flip plan for images `index` of storage (N, C, H + 2p, W + 2p).

    Computed once per epoch, so that each step is a single add and a single gather. `dtype`
    int32 halves the addresses' memory traffic when the storage has fewer than 2**31 bytes.
    """
    channels, padded_height, padded_width = storage
    height, width = size
    device = index.device
    rows = params.offsets[:, :1] + torch.arange(height, device=device)  # (N, H)
    cols = params.offsets[:, 1:] + torch.arange(width, device=device)  # (N, W)
    cols = torch.where(params.flips[:, None], cols.flip(1), cols)  # (N, W) mirrored rows
    planes = index[:, None] * channels + torch.arange(channels, device=device)  # (N, C)
    starts = (planes[:, :, None] * padded_height + rows[:, None, :]) * padded_width  # (N, C, H)
    return CropPlan(starts.to(dtype), cols.to(dtype))


def gather_crops(padded: Tensor, plan: CropPlan) -> Tensor:
    """The planned crops of contiguous `padded` storage, (B, C, H, W), in one `index_select`.

    Each output pixel's flat address is its source row's start plus its source column, so the
    same gather picks the batch out of the dataset, crops it and mirrors the flipped images.
    """
    batch, channels, height = plan.starts.shape
    address = plan.starts[:, :, :, None] + plan.cols[:, None, None, :]  # (B, C, H, W)
    flat = padded.view(-1).index_select(0, address.view(-1))  # (B * C * H * W,)
    return flat.view(batch, channels, height, plan.cols.shape[1])


def color_jitter(images: Tensor, params: AugmentParams) -> Tensor:
    """Brightness, contrast and saturation blends of float images (B, 3, H, W) in [0, 1].

    Each image runs the three ops in its own random order, as ColorJitter does. Every op is
    torchvision's `_blend(img, reference, factor)` — towards black, the mean grey level or the
    grey image — written as one `lerp` for the whole batch (equal up to float rounding).
    """
    r, g, b = GRAY_WEIGHTS  # Python scalars: no host-to-device copy per step
    for step in range(3):
        op = params.order[:, step]  # (B,)
        factor = params.factors.gather(1, op[:, None]).view(-1, 1, 1, 1)  # (B, 1, 1, 1)
        gray = images[:, 0:1] * r + images[:, 1:2] * g + images[:, 2:3] * b  # (B, 1, H, W)
        mean = gray.mean(dim=(1, 2, 3), keepdim=True)  # (B, 1, 1, 1)
        op = op.view(-1, 1, 1, 1)
        reference = torch.where(op == 2, gray, torch.where(op == 1, mean, 0.0))  # (B, 1, H, W)
        images = torch.lerp(reference, images, factor).clamp_(0.0, 1.0)  # (B, 3, H, W)
    return images


def augment_batch(images: Tensor, augment: Augment, generator: torch.Generator) -> Tensor:
    """Augment uint8 images (B, 3, H, W) with fresh random parameters; float (B, 3, H, W) in [0, 1].

    The same crop, flip and jitter code as the fast training loader (for previews).
    """
    params = draw_params(images.shape[0], augment, generator).to(images.device)
    index = torch.arange(images.shape[0], device=images.device)
    padded = pad_images(images, augment.crop_padding)  # (B, 3, H + 2p, W + 2p)
    plan = plan_crops(index, params, tuple(padded.shape[1:]), tuple(images.shape[2:]))
    crops = gather_crops(padded, plan)  # (B, 3, H, W) uint8
    floats = crops.float().div_(255)
    return color_jitter(floats, params) if augment.jitter > 0 else floats
