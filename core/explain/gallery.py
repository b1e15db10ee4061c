"""A run's test images split into correctly and wrongly classified ones (exercise D5)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.data.images import fit_to_input, to_tensor
from core.errors import UserError
from core.models.loaded import LoadedModel

SCANNED = 1000  # test images classified to find the right and wrong ones
BATCH = 250  # images per forward pass while classifying


@dataclass(frozen=True)
class GalleryItem:
    """One test image with its label and the model's prediction."""

    source: str  # image reference for `load_image`, e.g. "cifar10:17"
    label: int  # true class index
    predicted: int  # predicted class index
    caption: str  # e.g. "cifar10:17 ✗ cat → dog"

    @property
    def correct(self) -> bool:
        return self.label == self.predicted


def classified_test_images(
    model: LoadedModel, data_dir: str | None = None, count: int = 10, scan: int = SCANNED
) -> tuple[list[GalleryItem], list[GalleryItem]]:
    """The first `count` correct and `count` wrong predictions among the first `scan` test
    images of the run's dataset."""
    import torch

    from core.data.cache import load_dataset_cached

    if model.dataset is None:
        raise UserError(
            "The gallery needs a training run (its dataset's test images); "
            "choose a run as the model."
        )
    dataset = load_dataset_cached(model.dataset, data_dir, train_size=1)
    images, labels = dataset.test.images[:scan], dataset.test.labels[:scan]
    pre = model.preprocess
    predictions = []
    with torch.no_grad():
        for start in range(0, len(images), BATCH):
            batch = torch.cat(
                [
                    to_tensor(fit_to_input(image, pre.size, pre.resize_ratio), pre)
                    for image in images[start : start + BATCH]
                ]
            )  # (B, 3, S, S)
            predictions.append(model.module(batch).argmax(dim=1).numpy())
    predicted = np.concatenate(predictions)
    right, wrong = [], []
    for index, (label, guess) in enumerate(zip(labels.tolist(), predicted.tolist())):
        bucket = right if label == guess else wrong
        if len(bucket) >= count:
            continue
        mark = (
            f"✓ {model.classes[label]}"
            if label == guess
            else (f"✗ {model.classes[label]} → {model.classes[guess]}")
        )
        bucket.append(
            GalleryItem(f"{model.dataset}:{index}", label, guess, f"{model.dataset}:{index} {mark}")
        )
    return right, wrong
