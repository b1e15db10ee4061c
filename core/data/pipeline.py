"""Batches for training and evaluation: the fast on-device path and the torchvision reference.

`fast` keeps a whole split on the device as uint8 and builds batches with a few tensor ops
(`core.data.augment`) — several batches per call, yielded as views — drawing an epoch's shuffle
and augmentation parameters at once from (seed, epoch): no per-image Python and no host
synchronisation per step. `reference` is the exercises' own loop: a torchvision-style
`Dataset` of PIL images, `transforms.Compose` and a `DataLoader`. Both iterate
`(x float32 (B, 3, H, W), y int64 (B,))` on the device, have `len()` = steps per epoch and
`set_epoch(e)` for a deterministic fresh shuffle per epoch.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import torch
from torch import Tensor
from torch.nn import functional as F

from core.data.augment import (
    Augment,
    AugmentParams,
    augment_batch,
    color_jitter,
    draw_params,
    gather_crops,
    pad_images,
    plan_crops,
)
from core.data.datasets import ImageSplit
from core.errors import UserError

PIPELINE_KINDS = ("fast", "reference")
CHUNK_BYTES = 8 * 2**20  # fast loader: float32 inputs prepared at once (whole batches, >= 1)
Normalize = tuple[tuple[float, float, float], tuple[float, float, float]]  # (mean, std) per RGB

__all__ = ["PIPELINE_KINDS", "Augment", "augment_batch", "make_loader", "epoch_seed"]


def epoch_seed(seed: int, epoch: int) -> int:
    """A 63-bit seed for one epoch's shuffle and augmentation, independent across epochs."""
    return int(np.random.SeedSequence([seed, epoch]).generate_state(2, np.uint64)[0]) >> 1


def make_loader(
    kind: str,
    split: ImageSplit,
    *,
    batch_size: int,
    augment: Augment | None = None,
    normalize: Normalize | None = None,
    shuffle: bool = False,
    device: torch.device | str = "cpu",
    seed: int = 0,
    resize: int | None = None,
) -> FastLoader | ReferenceLoader:
    """A loader over `split` that yields device batches; `kind` is "fast" or "reference"."""
    if batch_size < 1:
        raise UserError(f"Batch size must be at least 1, not {batch_size}.")
    if resize is not None and resize < 1:
        raise UserError(f"Resize must be a positive number of pixels, not {resize}.")
    options = dict(
        batch_size=batch_size,
        augment=augment or Augment(),
        normalize=normalize,
        shuffle=shuffle,
        device=torch.device(device),
        seed=seed,
        resize=resize,
    )
    if kind == "fast":
        return FastLoader(split, **options)
    if kind == "reference":
        return ReferenceLoader(split, **options)
    raise UserError(f"Unknown pipeline {kind!r}: choose one of {', '.join(PIPELINE_KINDS)}.")


class FastLoader:
    """Device-resident uint8 images; shuffle, crop, flip, jitter, resize, normalise in batches."""

    def __init__(
        self, split: ImageSplit, *, batch_size, augment, normalize, shuffle, device, seed, resize
    ) -> None:
        self.batch_size = batch_size
        self.augment = augment
        self.shuffle = shuffle
        self.device = device
        self.seed = seed
        self.resize = resize
        self.epoch = 0
        self.size = tuple(split.images.shape[1:3])  # (H, W) before resizing
        images = torch.from_numpy(np.ascontiguousarray(split.images)).to(device)  # (N, H, W, 3)
        planes = images.permute(0, 3, 1, 2)  # (N, 3, H, W)
        self.images = pad_images(planes, augment.crop_padding)  # (N, 3, H + 2p, W + 2p) uint8
        small = self.images.numel() < 2**31  # every byte addressable with an int32
        self.address_dtype = torch.int32 if small else torch.int64
        self.labels = torch.from_numpy(np.asarray(split.labels, dtype=np.int64)).to(device)
        self.normalize = None
        if normalize is not None:
            mean, std = (
                torch.tensor(values, dtype=torch.float32, device=device).view(1, 3, 1, 1)
                for values in normalize
            )
            self.normalize = (mean, std)

    def __len__(self) -> int:
        return math.ceil(len(self.labels) / self.batch_size)

    def set_epoch(self, epoch: int) -> None:
        """Use epoch `epoch`'s shuffle and augmentation on the next iteration."""
        self.epoch = epoch

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        count = len(self.labels)
        generator = torch.Generator().manual_seed(epoch_seed(self.seed, self.epoch))
        order = torch.randperm(count, generator=generator) if self.shuffle else torch.arange(count)
        order = order.to(self.device)  # (N,) one transfer per epoch
        params = plan = None
        if self.augment.active:
            params = draw_params(count, self.augment, generator).to(self.device)
            plan = plan_crops(
                order, params, tuple(self.images.shape[1:]), self.size, self.address_dtype
            )
        step = self.batch_size * self._chunk_batches()
        for start in range(0, count, step):
            chunk = slice(start, start + step)
            index = order[chunk]  # (K * B,)
            labels = self.labels.index_select(0, index)  # (K * B,)
            if plan is None:
                crops = self.images.index_select(0, index)  # (K * B, 3, H, W) uint8
                x = self._finish(crops, None)
            else:
                crops = gather_crops(self.images, plan.take(chunk))  # (K * B, 3, H, W) uint8
                x = self._finish(crops, params.take(chunk) if self.augment.jitter else None)
            for first in range(0, len(labels), self.batch_size):
                batch = slice(first, first + self.batch_size)
                yield x[batch], labels[batch]  # views: (B, 3, H, W), (B,)

    def _chunk_batches(self) -> int:
        """Batches prepared together: the per-batch work is a few tensor ops, so doing ~8 MB
        of images at once removes most of their fixed cost per step and keeps it out of the
        training step's way; values are the same as batch by batch."""
        side = self.resize or max(self.size)
        image_bytes = 3 * side * side * 4  # one float32 network input
        return max(1, CHUNK_BYTES // (image_bytes * self.batch_size))

    def _finish(self, crops: Tensor, params: AugmentParams | None) -> Tensor:
        """uint8 crops (B, 3, H, W) -> jittered, resized, normalised float32."""
        x = crops.float().div_(255)  # (B, 3, H, W) in [0, 1], like ToTensor
        if self.augment.jitter > 0:
            x = color_jitter(x, params)
        if self.resize is not None:
            x = F.interpolate(
                x,
                size=(self.resize, self.resize),
                mode="bilinear",
                align_corners=False,
                antialias=True,
            )  # (B, 3, R, R)
        if self.normalize is not None:
            mean, std = self.normalize
            x = x.sub_(mean).div_(std)
        return x


class ReferenceLoader:
    """The exercises' torchvision loop: PIL images, per-image transforms, a DataLoader.

    Per-image randomness comes from torch's global generator, as in the exercises; the
    shuffle comes from a generator seeded from (seed, epoch).
    """

    def __init__(
        self, split: ImageSplit, *, batch_size, augment, normalize, shuffle, device, seed, resize
    ) -> None:
        from torch.utils.data import DataLoader

        self.batch_size = batch_size
        self.device = device
        self.seed = seed
        self.generator = torch.Generator().manual_seed(epoch_seed(seed, 0))
        dataset = _PILImages(
            split, reference_transform(augment, normalize, resize, split.images.shape[1])
        )
        self.loader = DataLoader(
            dataset, batch_size=batch_size, shuffle=shuffle, num_workers=0, generator=self.generator
        )

    def __len__(self) -> int:
        return len(self.loader)

    def set_epoch(self, epoch: int) -> None:
        """Use epoch `epoch`'s shuffle on the next iteration."""
        self.generator.manual_seed(epoch_seed(self.seed, epoch))

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        for x, y in self.loader:
            yield x.to(self.device), y.to(self.device)


def reference_transform(
    augment: Augment, normalize: Normalize | None, resize: int | None, size: int = 32
):
    """The torchvision `transforms.Compose` that the fast path reproduces, step for step."""
    from torchvision import transforms

    steps = []
    if augment.crop_padding:
        steps.append(transforms.RandomCrop(size, padding=augment.crop_padding))
    if augment.flip:
        steps.append(transforms.RandomHorizontalFlip())
    if augment.jitter:
        j = augment.jitter
        steps.append(transforms.ColorJitter(brightness=j, contrast=j, saturation=j))
    if resize is not None:
        steps.append(transforms.Resize(resize))
    steps.append(transforms.ToTensor())
    if normalize is not None:
        steps.append(transforms.Normalize(*normalize))
    return transforms.Compose(steps)


class _PILImages(torch.utils.data.Dataset):
    """Images as PIL, as torchvision's CIFAR10 hands them to its transform."""

    def __init__(self, split: ImageSplit, transform) -> None:
        self.images = split.images
        self.labels = split.labels
        self.transform = transform

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[Tensor, int]:
        from PIL import Image

        return self.transform(Image.fromarray(self.images[index])), int(self.labels[index])
