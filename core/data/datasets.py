"""The training images as plain arrays: CIFAR-10 from its real on-disk format, or Shapes-10.

CIFAR-10 is read from the `cifar-10-batches-py` pickles with our own small reader (the format
torchvision's `CIFAR10` reads, without its md5 check, so that small fixtures in the same
format load too), through the restricted unpickler of `core.data.cifar_pickle`: a crafted
batch file in a shared data folder is refused, never run. Shapes-10 (`core.data.shapes10`)
is generated offline and is always labelled synthetic. `write_cifar10_fixture` writes a small
dataset in the real format for tests.
"""

from __future__ import annotations

import contextlib
import io
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.data import cifar_pickle, shapes10
from core.errors import UserError
from core.paths import data_dir as resolve_data_dir
from core.paths import folders_undone_on_failure

DATASET_NAMES = ("cifar10", "shapes")
CIFAR10_FOLDER = "cifar-10-batches-py"  # the folder the official archive unpacks to
CIFAR10_TRAIN_FILES = tuple(f"data_batch_{index}" for index in range(1, 6))
CIFAR10_TEST_FILE = "test_batch"
CIFAR10_META_FILE = "batches.meta"
CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
SHAPES_TRAIN_SIZE = 10_000  # default Shapes-10 training images
SHAPES_TEST_SIZE = 2_000  # default Shapes-10 test images
MAX_SHAPES_IMAGES = 100_000
"""Most Shapes-10 images generated per split: they are made in memory, 3 KB each (300 MB)."""


class DataMissingError(UserError):
    """The dataset's files are not where we looked; the message names the folder and the fix."""


@dataclass(frozen=True)
class ImageSplit:
    """One split of a dataset: images and their labels, aligned by index."""

    images: np.ndarray  # (N, H, W, 3) uint8 RGB
    labels: np.ndarray  # (N,) int64 class indices

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class Dataset:
    """A named dataset with both splits and where it came from."""

    name: str  # "cifar10" | "shapes"
    title: str  # for menus and plots, e.g. "Shapes-10 (synthetic)"
    synthetic: bool  # True when generated rather than real photos
    classes: tuple[str, ...]  # class names in label order
    train: ImageSplit
    test: ImageSplit
    source: str  # the folder read, or how the images were generated


def fetch_cifar10(data_dir: str | Path | None = None) -> Dataset:
    """Download CIFAR-10 with torchvision (md5-checked archive and batches), then read it back.

    Needs internet (a login node); an archive `cifar-10-python.tar.gz` copied into the data
    folder by hand is verified and unpacked without a download.
    """
    from urllib.error import URLError

    from torchvision.datasets import CIFAR10

    root = cifar10_folder(data_dir).parent
    try:
        with folders_undone_on_failure(root), contextlib.redirect_stdout(io.StringIO()):
            root.mkdir(parents=True, exist_ok=True)  # torchvision prints status lines
            CIFAR10(root=str(root), train=True, download=True)
    except (URLError, OSError, RuntimeError) as error:
        reason = getattr(error, "reason", None) or error
        raise DataMissingError(
            f"Could not download CIFAR-10 into {root} from {CIFAR10.url}: {reason}. "
            "Run `cnn-tui data fetch cifar10` on a node with internet (a login node) and the "
            f"same --data-dir, or copy {CIFAR10.filename} into {root} and run it again."
        ) from None
    return _load_cifar10(root, None, None)


def cifar10_folder(data_dir: str | Path | None = None) -> Path:
    """The `cifar-10-batches-py` folder for a data folder (the folder itself is accepted too)."""
    root = resolve_data_dir(data_dir)
    if root.name == CIFAR10_FOLDER or _is_file(root / CIFAR10_TEST_FILE):
        return root
    return root / CIFAR10_FOLDER


def _is_file(path: Path) -> bool:
    """Whether `path` is a file; a name the system refuses (too long, bad bytes) is not one."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def cifar10_present(data_dir: str | Path | None = None) -> bool:
    """Whether every CIFAR-10 batch file is in place."""
    folder = cifar10_folder(data_dir)
    names = (*CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE)
    return all(_is_file(folder / name) for name in names)


def default_dataset_name(data_dir: str | Path | None = None) -> str:
    """ "cifar10" when its files are present, else the built-in "shapes"."""
    return "cifar10" if cifar10_present(data_dir) else "shapes"


def load_dataset(
    name: str,
    data_dir: str | Path | None = None,
    *,
    train_size: int | None = None,
    test_size: int | None = None,
    seed: int = 0,
) -> Dataset:
    """Load `name`; sizes cut CIFAR-10's splits short, or set how many Shapes-10 images to make.

    `seed` only matters for Shapes-10 (CIFAR-10 is read as stored).
    """
    for label, size in (("train_size", train_size), ("test_size", test_size)):
        if size is not None and size < 1:
            raise UserError(f"{label} must be a positive number of images, not {size}.")
    if name == "shapes":
        check_generated_sizes(train_size, test_size)
    if name == "cifar10":
        return _load_cifar10(data_dir, train_size, test_size)
    if name == "shapes":
        return make_shapes10(
            train_size or SHAPES_TRAIN_SIZE, test_size or SHAPES_TEST_SIZE, seed=seed
        )
    raise UserError(f"Unknown dataset {name!r}: choose one of {', '.join(DATASET_NAMES)}.")


def check_generated_sizes(train_size: int | None, test_size: int | None) -> None:
    """Shapes-10 is generated in memory: at most MAX_SHAPES_IMAGES per split."""
    for label, size in (("train size", train_size), ("test size", test_size)):
        if size is not None and size > MAX_SHAPES_IMAGES:
            raise UserError(
                f"The {label} {size:,} is above the limit of {MAX_SHAPES_IMAGES:,} Shapes-10 "
                "images per split (they are generated in memory, 3 KB each)."
            )


def make_shapes10(train_size: int, test_size: int, *, seed: int = 0) -> Dataset:
    """Generate Shapes-10; train and test come from independent streams of the same seed."""
    train_seed, test_seed = np.random.SeedSequence(seed).spawn(2)
    train = ImageSplit(*shapes10.generate(train_size, train_seed.generate_state(1)[0]))
    test = ImageSplit(*shapes10.generate(test_size, test_seed.generate_state(1)[0]))
    return Dataset(
        name="shapes",
        title="Shapes-10 (synthetic)",
        synthetic=True,
        classes=shapes10.CLASSES,
        train=train,
        test=test,
        source=f"generated offline (seed {seed}, {train_size} train / {test_size} test images)",
    )


def _load_cifar10(data_dir, train_size: int | None, test_size: int | None) -> Dataset:
    folder = cifar10_folder(data_dir)
    if not cifar10_present(data_dir):
        raise DataMissingError(
            f"CIFAR-10 was not found in {folder} (looked for {CIFAR10_TEST_FILE} and "
            f"data_batch_1..5). Run `cnn-tui data fetch cifar10` on a node with internet, "
            "point --data-dir or CNN_TUI_DATA at the folder that holds "
            f"{CIFAR10_FOLDER}, or use --dataset shapes (synthetic, offline)."
        )
    train = _read_batches([folder / name for name in CIFAR10_TRAIN_FILES], train_size)
    test = _read_batches([folder / CIFAR10_TEST_FILE], test_size)
    classes = _read_classes(folder)
    _check_classes(folder, classes)
    for split, label, size in ((train, "training", train_size), (test, "test", test_size)):
        _check_split(folder, split, label, len(classes))
        if size is not None and size > len(split):
            raise UserError(
                f"Only {len(split):,} {label} images in {folder}; ask for at most that many, "
                f"not {size:,}."
            )
    return Dataset(
        name="cifar10",
        title="CIFAR-10",
        synthetic=False,
        classes=classes,
        train=train,
        test=test,
        source=str(folder),
    )


def _refetch(folder: Path, problem: str) -> DataMissingError:
    return DataMissingError(
        f"{folder} is not a usable CIFAR-10 folder: {problem}. Delete the folder and run "
        "`cnn-tui data fetch cifar10` again."
    )


def _check_classes(folder: Path, classes: tuple[str, ...]) -> None:
    if not classes or len(set(classes)) != len(classes) or not all(c.strip() for c in classes):
        raise _refetch(folder, f"its class names {list(classes)[:12]} are not distinct names")


def _check_split(folder: Path, split: ImageSplit, label: str, classes: int) -> None:
    """Shapes, dtype, counts and label range of one split, before any network sees it."""
    images, labels = split.images, split.labels
    if images.ndim != 4 or images.shape[1:] != (32, 32, 3) or images.dtype != np.uint8:
        raise _refetch(folder, f"its {label} images are {images.dtype} {images.shape}")
    if labels.ndim != 1 or len(labels) != len(images):
        raise _refetch(folder, f"{len(images)} {label} images but {labels.size} labels")
    if len(images) == 0:
        raise _refetch(folder, f"it holds no {label} images")
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high >= classes:
        raise _refetch(
            folder, f"its {label} labels run from {low} to {high}, not within 0..{classes - 1}"
        )


def _unpickle(path: Path) -> dict:
    """A CIFAR-10 pickle as a dict with str keys (the originals were written by Python 2)."""
    try:
        with open(path, "rb") as file:
            entry = cifar_pickle.load(file)
    except cifar_pickle.ForbiddenPickleError as error:
        raise DataMissingError(
            f"{path} is not a CIFAR-10 batch: it asks to build {error.global_name}, which the "
            "real files never contain, so it was not unpickled (that could run code). Delete "
            "the folder (someone who can write to it may have planted this file) and run "
            "`cnn-tui data fetch cifar10` again."
        ) from None
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError) as error:
        raise DataMissingError(
            f"{path} is not a readable CIFAR-10 batch ({error}). Delete the folder and run "
            "`cnn-tui data fetch cifar10` again."
        ) from None
    if not isinstance(entry, dict):
        raise DataMissingError(
            f"{path} is not a CIFAR-10 batch (it holds a {type(entry).__name__}, not a dict). "
            "Delete the folder and run `cnn-tui data fetch cifar10` again."
        )
    return {key.decode() if isinstance(key, bytes) else key: value for key, value in entry.items()}


def _read_batch(path: Path) -> ImageSplit:
    entry = _unpickle(path)
    try:
        rows = np.asarray(entry["data"], dtype=np.uint8)  # (N, 3072): R plane, G plane, B plane
        labels = np.asarray(entry.get("labels", entry.get("fine_labels")), dtype=np.int64)
        images = rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # (N, 32, 32, 3)
        if labels.ndim != 1 or len(labels) != len(images):
            raise ValueError(f"{len(images)} images but {labels.size} labels")
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        raise DataMissingError(
            f"{path} does not have the CIFAR-10 layout ({error}). Delete the folder and run "
            "`cnn-tui data fetch cifar10` again."
        ) from None
    return ImageSplit(np.ascontiguousarray(images), labels)


def _read_classes(folder: Path) -> tuple[str, ...]:
    meta_path = folder / CIFAR10_META_FILE
    if not meta_path.is_file():
        return CIFAR10_CLASSES
    names = _unpickle(meta_path).get("label_names", CIFAR10_CLASSES)
    if not isinstance(names, (list, tuple)):
        raise _refetch(folder, f"{CIFAR10_META_FILE} has no list of label names")
    return tuple(name.decode() if isinstance(name, bytes) else str(name) for name in names)


def _read_batches(paths: list[Path], limit: int | None) -> ImageSplit:
    """The batches in order, concatenated; stops reading once `limit` images are in."""
    splits: list[ImageSplit] = []
    for path in paths:
        if limit is not None and sum(len(split) for split in splits) >= limit:
            break
        splits.append(_read_batch(path))
    images = np.concatenate([split.images for split in splits])[:limit]
    labels = np.concatenate([split.labels for split in splits])[:limit]
    return ImageSplit(images, labels)


def write_cifar10_fixture(
    folder: str | Path, *, train_size: int = 500, test_size: int = 100, seed: int = 0
) -> Path:
    """Write a small dataset in the real CIFAR-10 format under `folder`; returns the batches folder.

    The images are Shapes-10 drawings (so a network can learn them) labelled with CIFAR-10's
    class names; the training images are spread over the five `data_batch_*` files.
    """
    target = Path(folder) / CIFAR10_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    shapes = make_shapes10(train_size, test_size, seed=seed)
    chunks = np.array_split(np.arange(train_size), len(CIFAR10_TRAIN_FILES))
    for number, (name, chunk) in enumerate(zip(CIFAR10_TRAIN_FILES, chunks), start=1):
        _write_batch(
            target / name,
            f"training batch {number} of 5",
            ImageSplit(shapes.train.images[chunk], shapes.train.labels[chunk]),
        )
    _write_batch(target / CIFAR10_TEST_FILE, "testing batch 1 of 1", shapes.test)
    meta = {
        "num_cases_per_batch": max(len(chunks[0]), 1),
        "label_names": list(CIFAR10_CLASSES),
        "num_vis": 3072,
    }
    with open(target / CIFAR10_META_FILE, "wb") as file:
        pickle.dump(meta, file, protocol=2)
    return target


def _write_batch(path: Path, batch_label: str, split: ImageSplit) -> None:
    rows = split.images.transpose(0, 3, 1, 2).reshape(len(split), 3072)  # (N, 3072) planes
    entry = {
        "batch_label": batch_label,
        "labels": [int(label) for label in split.labels],
        "data": np.ascontiguousarray(rows, dtype=np.uint8),
        "filenames": [f"fixture_{index:05d}.png" for index in range(len(split))],
    }
    with open(path, "wb") as file:
        pickle.dump(entry, file, protocol=2)


def class_count(name: str, data_dir: str | Path | None = None) -> int:
    """How many classes a dataset has, without loading its images."""
    if name == "shapes":
        return len(shapes10.CLASSES)
    folder = cifar10_folder(data_dir)
    return len(_read_classes(folder)) if folder.is_dir() else len(CIFAR10_CLASSES)
