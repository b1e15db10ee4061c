"""Dataset images as terminal text: class grids, augmentation rows and the class balance.

Shared by the Dataset screen and `cnn-tui data show`; every image goes through the half-block
renderer of `tui.widgets.halfblock` (two pixels per cell).
"""

from __future__ import annotations

import numpy as np
from rich.table import Table
from rich.text import Text

from core.data.datasets import Dataset
from core.data.images import resize_rgb
from core.data.view import SPLITS, class_counts, split_of
from tui.widgets.halfblock import rgb_to_text

LABEL_WIDTH = 12  # cells for the class name left of each row
GAP = 1  # cells between thumbnails
MIN_SIZE_BESIDE = 8  # thumbnails smaller than this put the class name above the row instead


def thumbnail(image: np.ndarray, size: int, truecolor: bool = True) -> list[Text]:
    """An RGB uint8 (H, W, 3) image at `size`×`size` pixels, as size/2 lines of cells."""
    size += size % 2
    scaled = _scale(image, size)
    return rgb_to_text(scaled, truecolor).split("\n")


def _scale(image: np.ndarray, size: int) -> np.ndarray:
    """Nearest-neighbour for whole-number enlargements (crisp pixels), bilinear otherwise."""
    height = image.shape[0]
    if size % height == 0 and image.shape[1] == height:
        factor = size // height
        return image.repeat(factor, axis=0).repeat(factor, axis=1)  # (size, size, 3)
    return resize_rgb(image, size, size)


def fit_size(
    width: int, per_row: int, lo: int = 4, hi: int = 32, label_width: int = LABEL_WIDTH
) -> int:
    """The largest even thumbnail size (pixels = cells) that fits `per_row` images in `width`."""
    size = (width - label_width) // max(per_row, 1) - GAP
    size = max(lo, min(hi, size))
    return size - size % 2


def grid_size(width: int, per_row: int, hi: int = 32) -> tuple[int, bool]:
    """(thumbnail size, class name above its row) for `per_row` images in `width` cells.

    On narrow terminals the name moves above the row when that makes the thumbnails larger.
    """
    beside = fit_size(width, per_row, hi=hi)
    above = fit_size(width, per_row, hi=hi, label_width=0)
    if beside < MIN_SIZE_BESIDE and above > beside:
        return above, True
    return beside, False


def image_row(
    label: Text | str,
    images: list[np.ndarray],
    size: int,
    truecolor: bool = True,
    captions: list[Text | str] | None = None,
    label_above: bool = False,
) -> Text:
    """One labelled row of thumbnails side by side, with an optional caption under each."""
    tiles = [thumbnail(image, size, truecolor) for image in images]
    height = max((len(tile) for tile in tiles), default=1)
    label = Text(label) if isinstance(label, str) else label
    indent = 0 if label_above else LABEL_WIDTH
    lines = []
    if label_above:
        lines.append(label)
    else:
        label.truncate(LABEL_WIDTH - 1)
    for row in range(height):
        line = Text(no_wrap=True, overflow="crop")
        if not label_above:
            line.append_text(label if row == 0 else Text(""))
            line.pad_right(LABEL_WIDTH - (label.cell_len if row == 0 else 0))
        for tile in tiles:
            line.append_text(tile[row] if row < len(tile) else Text(" " * size))
            line.append(" " * GAP)
        lines.append(line)
    if captions is not None:
        line = Text(" " * indent, no_wrap=True, overflow="crop")
        for caption in captions:
            caption = Text(caption) if isinstance(caption, str) else caption
            caption.truncate(size)
            line.append_text(caption)
            line.append(" " * (size - caption.cell_len + GAP))
        lines.append(line)
    return Text("\n", no_wrap=True, overflow="crop").join(lines)


def class_grid(
    dataset: Dataset,
    split: str,
    indices: list[np.ndarray],
    size: int,
    truecolor: bool = True,
    cursor: tuple[int, int] | None = None,
    label_above: bool = False,
) -> Text:
    """Rows of examples per class with their split indices; `cursor` (class, column) is marked."""
    images = split_of(dataset, split).images
    rows = []
    for label, chosen in enumerate(indices):
        captions = []
        for column, index in enumerate(chosen):
            picked = cursor == (label, column)
            captions.append(Text(f"#{index}", style="reverse bold" if picked else "dim"))
        name = Text(dataset.classes[label], style="bold")
        rows.append(
            image_row(name, [images[i] for i in chosen], size, truecolor, captions, label_above)
        )
    return Text("\n", no_wrap=True, overflow="crop").join(rows)


def column_titles(titles: list[str], size: int) -> Text:
    """Dim titles over the thumbnail columns of `image_row` rows (past the label column)."""
    header = Text(" " * LABEL_WIDTH, no_wrap=True, overflow="crop")
    for title in titles:
        header.append(title[:size].ljust(size + GAP), style="dim")
    return header


def augment_rows(
    dataset: Dataset,
    labels: list[int],
    originals: np.ndarray,
    copies: list[np.ndarray],
    size: int,
    truecolor: bool = True,
) -> Text:
    """Per image: its class, the original, then each augmented copy."""
    rows = [column_titles(["original", *(f"augmented {k + 1}" for k in range(len(copies)))], size)]
    for row, label in enumerate(labels):
        images = [originals[row], *(copy[row] for copy in copies)]
        rows.append(image_row(Text(dataset.classes[label], style="bold"), images, size, truecolor))
    return Text("\n", no_wrap=True, overflow="crop").join(rows)


def balance_table(dataset: Dataset, bar_width: int = 30) -> Table:
    """Images per class in each split, with a bar scaled to the largest class."""
    classes = len(dataset.classes)
    counts = {split: class_counts(split_of(dataset, split), classes) for split in SPLITS}
    largest = max(max(values, default=0) for values in counts.values()) or 1
    table = Table(title=f"{dataset.title}: images per class", title_justify="left")
    table.add_column("class")
    for split in SPLITS:
        table.add_column(split, justify="right")
        table.add_column("", no_wrap=True)
    for label, name in enumerate(dataset.classes):
        cells = [name]
        for split in SPLITS:
            count = counts[split][label]
            share = count / max(sum(counts[split]), 1)
            cells += [f"{count:,} ({share:.1%})", "█" * round(bar_width * count / largest)]
        table.add_row(*cells)
    table.add_row("total", *(x for s in SPLITS for x in (f"{sum(counts[s]):,}", "")), style="bold")
    return table


def fitted_balance_table(dataset: Dataset, width: int, console) -> Table:
    """`balance_table` with bars as long as `width` cells allow (1–30), so no column is cut."""
    from rich.measure import Measurement

    bare = balance_table(dataset, bar_width=0)
    used = Measurement.get(console, console.options.update_width(10_000), bare).maximum
    return balance_table(dataset, bar_width=max(1, min(30, (width - used) // 2)))
