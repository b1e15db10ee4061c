"""What the Dataset browser shows (exercise D1): examples per class, augmentations, balance.

Augmented previews go through the fast training loader itself (`core.data.pipeline.make_loader`),
so what a student sees is exactly what the network is fed, normalisation included. Only that
preview needs torch; it is imported there, so browsing stays light.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.data.augment_names import parse_augment_names
from core.data.datasets import Dataset, ImageSplit
from core.data.normalize import CIFAR_MEAN_STD
from core.errors import UserError

SPLITS = ("train", "test")
NORMALIZED_RANGE = 2.5  # normalised values are shown from -2.5 (black) to +2.5 (white)
DISPLAY_NAMES = ("flip", "crop", "jitter", "normalize")
"""Toggles of the augmentation view, in the order of `AugmentChoice.from_names`."""


@dataclass(frozen=True)
class AugmentChoice:
    """Which training transforms the preview applies (each one a toggle on screen)."""

    flip: bool = True  # RandomHorizontalFlip(p=0.5)
    crop: bool = True  # RandomCrop(32, padding=4)
    jitter: bool = False  # ColorJitter(0.2, 0.2, 0.2)
    normalize: bool = False  # Normalize(CIFAR mean, std) as the presets use it

    @classmethod
    def from_names(cls, text: str) -> AugmentChoice:
        """`flip,crop,jitter,normalize` (any subset) or `none`."""
        names = parse_augment_names(text, DISPLAY_NAMES)
        return cls(*(name in names for name in DISPLAY_NAMES))

    def toggled(self, name: str) -> AugmentChoice:
        """The same choice with `name` switched."""
        values = {key: getattr(self, key) for key in DISPLAY_NAMES}
        values[name] = not values[name]
        return AugmentChoice(**values)

    def augment(self):
        """The pipeline's `Augment` with the default training strengths (imports torch)."""
        from core.data.augment import DEFAULT_CROP_PADDING, DEFAULT_JITTER, Augment

        return Augment(
            flip=self.flip,
            crop_padding=DEFAULT_CROP_PADDING if self.crop else 0,
            jitter=DEFAULT_JITTER if self.jitter else 0.0,
        )

    def describe(self) -> str:
        """E.g. `flip, crop` or `none`."""
        return ", ".join(name for name in DISPLAY_NAMES if getattr(self, name)) or "none"


def split_of(dataset: Dataset, split: str) -> ImageSplit:
    """The `train` or `test` split of a dataset."""
    if split not in SPLITS:
        raise UserError(f"Unknown split {split!r}: choose train or test.")
    return dataset.train if split == "train" else dataset.test


def class_counts(split: ImageSplit, num_classes: int) -> tuple[int, ...]:
    """How many images of each class the split holds."""
    return tuple(int(n) for n in np.bincount(split.labels, minlength=num_classes)[:num_classes])


def pages(split: ImageSplit, num_classes: int, per_class: int) -> int:
    """Pages of `per_class` examples per class, up to the largest class."""
    largest = max(class_counts(split, num_classes), default=0)
    return max(1, -(-largest // per_class))


def examples_per_class(
    split: ImageSplit, num_classes: int, per_class: int, page: int = 0
) -> list[np.ndarray]:
    """For each class, the split indices of its examples on `page` (in dataset order)."""
    if per_class < 1:
        raise UserError(f"--per-class must be at least 1, not {per_class}.")
    start = page * per_class
    return [
        np.flatnonzero(split.labels == label)[start : start + per_class]
        for label in range(num_classes)
    ]


def to_display(x, normalized: bool) -> np.ndarray:
    """Float images (B, 3, H, W) as RGB uint8 (B, H, W, 3): [0, 1], or ±NORMALIZED_RANGE."""
    values = x.detach().float().cpu().numpy().transpose(0, 2, 3, 1)  # (B, H, W, 3)
    if normalized:
        values = (values + NORMALIZED_RANGE) / (2 * NORMALIZED_RANGE)
    return np.round(np.clip(values, 0.0, 1.0) * 255).astype(np.uint8)


def augmented_copies(
    images: np.ndarray, choice: AugmentChoice, copies: int = 1, seed: int = 0, roll: int = 0
) -> tuple[list[np.ndarray], tuple[float, float]]:
    """`copies` augmented versions of uint8 images (B, H, W, 3), drawn by the training loader.

    Copy k is epoch `roll * copies + k` of a fast loader over these images (no shuffle), so a
    re-roll draws fresh parameters and the same (seed, roll) always shows the same pictures.
    Returns the display images (B, H, W, 3) per copy and the range of the values fed to the
    network (after normalisation, when on).
    """
    from core.data.pipeline import make_loader

    labels = np.zeros(len(images), dtype=np.int64)
    loader = make_loader(
        "fast",
        ImageSplit(images, labels),
        batch_size=len(images),
        augment=choice.augment(),
        normalize=CIFAR_MEAN_STD if choice.normalize else None,
        shuffle=False,
        seed=seed,
    )
    shown, low, high = [], float("inf"), float("-inf")
    for copy in range(copies):
        loader.set_epoch(roll * copies + copy)
        ((x, _),) = list(loader)  # (B, 3, H, W) float32, one batch
        low, high = min(low, x.min().item()), max(high, x.max().item())
        shown.append(to_display(x, choice.normalize))
    return shown, (low, high)
