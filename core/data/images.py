"""Images for explanations: bundled photos, dataset test images or files, prepared exactly as
the model expects, plus the value-preserving resampling the heatmaps rely on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.assets import bundled_photos
from core.data.datasets import DATASET_NAMES
from core.errors import UserError

MAX_IMAGE_PIXELS = 40_000_000
"""Largest image file read (a 40-megapixel photo; 120 MB as RGB): PIL's header says the size
before any pixel is decoded, so a small file declaring a huge image is refused."""
MAX_ASPECT = 16
"""Longest side over shortest side: the shorter side is resized to the model's input, so a
1×3000 strip would become a 256×768000 image."""


class ImageError(UserError):
    """An image that cannot be found or read."""


@dataclass(frozen=True)
class Preprocess:
    """How a model wants its input: square size, resize margin and normalisation."""

    size: int  # side of the square input in pixels, e.g. 224
    resize_ratio: float = 1.0  # shorter side is resized to size*ratio before the centre crop
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)  # per channel, on the [0, 1] scale
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)  # per channel, on the [0, 1] scale


IMAGENET = Preprocess(224, 256 / 224, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
"""torchvision's ResNet18_Weights.IMAGENET1K_V1 transform: resize 256, centre crop 224."""


def load_image(
    source: str | os.PathLike[str], data_dir: str | None = None
) -> tuple[np.ndarray, str]:
    """An RGB uint8 (H, W, 3) image and a label for it.

    `source` is a bundled photo name (`chelsea`), a dataset test image (`cifar10:17`,
    `shapes:3`) or an image file path.
    """
    text = str(source)
    photos = bundled_photos()
    if text in photos:
        return _read_file(photos[text]), text
    name, sep, index = text.partition(":")
    if sep and name in DATASET_NAMES and index.isascii() and index.isdigit():
        from core.data.cache import load_dataset_cached

        dataset = load_dataset_cached(name, data_dir, train_size=1)
        split = dataset.test
        if len(index) > 9 or int(index) >= len(split.labels):
            raise ImageError(
                f"{name} has {len(split.labels)} test images; pick an index below that."
            )
        label = dataset.classes[int(split.labels[int(index)])]
        return np.ascontiguousarray(split.images[int(index)]), f"{name}:{index} ({label})"
    path = Path(text).expanduser()
    if not path.is_file():
        names = ", ".join(photos) or "none installed"
        raise ImageError(
            f"No image {text!r}: give an image file, a bundled photo ({names}) "
            "or a test image such as cifar10:17."
        )
    return _read_file(path), path.name


def _read_file(path: Path) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            _check_size(path, *image.size)
            return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()
    except ImageError:
        raise
    except Image.DecompressionBombError:
        raise ImageError(
            f"{path} declares more pixels than PIL will decode safely (a decompression bomb); "
            f"images are limited to {MAX_IMAGE_PIXELS:,} pixels."
        ) from None
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise ImageError(
            f"Cannot read {path} as an image ({error}); use a PNG or JPEG file."
        ) from None


def _check_size(path: Path, width: int, height: int) -> None:
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageError(
            f"{path} is {width}×{height} = {width * height:,} pixels; the limit is "
            f"{MAX_IMAGE_PIXELS:,} (40 megapixels) so that reading it stays within memory. "
            "Scale it down first."
        )
    if max(width, height) > MAX_ASPECT * max(min(width, height), 1):
        raise ImageError(
            f"{path} is {width}×{height}: the long side may be at most {MAX_ASPECT} times the "
            "short one (the short side is resized to the model's input, the long one with it). "
            "Crop it first."
        )


def fit_to_input(image: np.ndarray, size: int, resize_ratio: float = 1.0) -> np.ndarray:
    """Resize the shorter side to size*ratio and centre-crop size×size (uint8 (size, size, 3)).

    An image already size×size is returned unchanged: it is never resampled.
    """
    height, width = image.shape[:2]
    if (height, width) == (size, size):
        return image
    from PIL import Image

    short = int(round(size * resize_ratio))
    if height <= width:  # torchvision's Resize(int): the long side is truncated, not rounded
        new_h, new_w = short, int(short * width / height)
    else:
        new_h, new_w = int(short * height / width), short
    if (new_h, new_w) != (height, width):
        resized = Image.fromarray(image).resize((new_w, new_h), Image.Resampling.BILINEAR)
        image = np.asarray(resized)
    top, left = int(round((new_h - size) / 2.0)), int(round((new_w - size) / 2.0))
    return np.ascontiguousarray(image[top : top + size, left : left + size])


def to_tensor(image: np.ndarray, preprocess: Preprocess):
    """The model input (1, 3, S, S) float32 for an already-fitted uint8 (S, S, 3) image."""
    import torch

    if not image.flags.writeable:  # PIL's arrays are read-only; torch warns on sharing them
        image = image.copy()
    x = torch.from_numpy(image).permute(2, 0, 1).float().div(255.0)  # (3, S, S)
    mean = torch.tensor(preprocess.mean).view(3, 1, 1)
    std = torch.tensor(preprocess.std).view(3, 1, 1)
    return ((x - mean) / std).unsqueeze(0)  # (1, 3, S, S)


def resize_values(values: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resample a 2-D float map to (height, width), bilinear and antialiased when shrinking.

    Raw values are resampled (before any colour mapping), so averages stay true values.
    """
    values = np.asarray(values, dtype=np.float32)
    if values.shape == (height, width):
        return values
    from PIL import Image

    resized = Image.fromarray(values).resize((width, height), Image.Resampling.BILINEAR)
    return np.asarray(resized, dtype=np.float32)


def resize_rgb(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resample an RGB uint8 image to (height, width, 3)."""
    if image.shape[:2] == (height, width):
        return image
    from PIL import Image

    resized = Image.fromarray(image).resize((width, height), Image.Resampling.BILINEAR)
    return np.asarray(resized, dtype=np.uint8)


def blend_rgb(base: np.ndarray, top: np.ndarray, alpha: float) -> np.ndarray:
    """`top` over `base` (RGB uint8, same shape) with opacity `alpha`, rounded to uint8."""
    mixed = (1 - alpha) * base.astype(np.float32) + alpha * top.astype(np.float32)
    return np.round(mixed).astype(np.uint8)
