"""Labelled image grids as PNG files, for `cnn-tui data show --out` (exercise D1's figure)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from core.errors import UserError

LABEL_PIXELS = 90  # width of the class-name column
TITLE_PIXELS = 16  # height of the column-title row
GAP_PIXELS = 4  # space between images


def write_grid_png(
    path: str | os.PathLike[str],
    rows: list[tuple[str, list[np.ndarray]]],
    column_titles: list[str] | None = None,
    scale: int = 2,
    title: str = "",
) -> Path:
    """Write rows of RGB uint8 (H, W, 3) images, each row named on its left, as one PNG."""
    from PIL import Image, ImageDraw

    path = Path(path).expanduser()
    if path.suffix.lower() != ".png":
        raise UserError(f"--out must name a .png file, not {path.name!r}.")
    if not rows or not any(images for _, images in rows):
        raise UserError("There are no images to draw.")
    height, width = next(images[0] for _, images in rows if images).shape[:2]
    cell_h, cell_w = height * scale, width * scale
    columns = max(len(images) for _, images in rows)
    top = TITLE_PIXELS * (bool(title) + bool(column_titles))
    canvas = Image.new(
        "RGB",
        (LABEL_PIXELS + columns * (cell_w + GAP_PIXELS), top + len(rows) * (cell_h + GAP_PIXELS)),
        "white",
    )
    draw = ImageDraw.Draw(canvas)
    if title:
        draw.text((2, 2), title, fill="black")
    if column_titles:
        for column, name in enumerate(column_titles):
            x = LABEL_PIXELS + column * (cell_w + GAP_PIXELS)
            draw.text((x, top - TITLE_PIXELS + 2), name, fill="black")
    for row, (label, images) in enumerate(rows):
        y = top + row * (cell_h + GAP_PIXELS)
        draw.text((2, y + cell_h // 2 - 6), label, fill="black")
        for column, image in enumerate(images):
            tile = Image.fromarray(image).resize((cell_w, cell_h), Image.Resampling.NEAREST)
            canvas.paste(tile, (LABEL_PIXELS + column * (cell_w + GAP_PIXELS), y))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        canvas.save(path)
    except OSError as error:
        raise UserError(f"Cannot write {path}: {error.strerror or error}.") from None
    return path
