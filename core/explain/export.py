"""Exports of an explanation: raw NPY, PNG map and overlay, and the recipe that made them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from core.data.images import blend_rgb, resize_rgb, resize_values
from core.errors import UserError
from core.explain.activations import normalise
from core.explain.colormaps import apply_colormap
from core.explain.recipe import Explanation


def overlay(image: np.ndarray, unit_map: np.ndarray, colormap: str, alpha: float) -> np.ndarray:
    """Blend a [0, 1] map (resampled to the image first) over an RGB uint8 image."""
    height, width = image.shape[:2]
    coloured = apply_colormap(resize_values(unit_map, height, width), colormap)  # (H, W, 3)
    return blend_rgb(image, coloured, alpha)


def pca_image(rgb: np.ndarray, normalisation: str) -> np.ndarray:
    """PCA projections (3, h, w) as an RGB uint8 image (h, w, 3): PC1 red, PC2 green, PC3 blue.

    The one rendering of PCA shared by the screen, `--show` and the PNG export.
    """
    unit, _ = normalise(rgb, normalisation)  # (3, h, w) in [0, 1]
    return np.round(unit.transpose(1, 2, 0) * 255).astype(np.uint8)


def blend(image: np.ndarray, rgb: np.ndarray, alpha: float) -> np.ndarray:
    """An RGB uint8 picture (resampled to the image first) over an RGB uint8 image."""
    return blend_rgb(image, resize_rgb(rgb, *image.shape[:2]), alpha)


def map_rgb(explanation: Explanation, colormap: str, normalisation: str) -> np.ndarray:
    """The displayable map: PCA as RGB, else the maps colour-mapped and tiled in a row grid."""
    if explanation.rgb is not None:
        return pca_image(explanation.rgb, normalisation)
    unit, _ = normalise(explanation.maps, normalisation)
    tiles = [apply_colormap(m, colormap) for m in unit]  # each (h, w, 3)
    columns = min(8, len(tiles))
    rows = -(-len(tiles) // columns)
    height, width = tiles[0].shape[:2]
    grid = np.zeros((rows * (height + 1) - 1, columns * (width + 1) - 1, 3), dtype=np.uint8)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, columns)
        grid[
            r * (height + 1) : r * (height + 1) + height, c * (width + 1) : c * (width + 1) + width
        ] = tile
    return grid


def export(
    explanation: Explanation,
    out_dir: str | Path,
    colormap: str = "viridis",
    normalisation: str = "per-map",
    alpha: float = 0.5,
) -> list[Path]:
    """Write heatmap.npy, image.png, map.png, overlay.png (single maps, PCA) and recipe.json."""
    try:
        return _write(explanation, Path(out_dir), colormap, normalisation, alpha)
    except OSError as error:
        raise UserError(
            f"Cannot write the export to {out_dir}: {error.strerror or error}. "
            "Choose a folder you can write to."
        ) from None


def _write(
    explanation: Explanation, out: Path, colormap: str, normalisation: str, alpha: float
) -> list[Path]:
    from PIL import Image

    out.mkdir(parents=True, exist_ok=True)
    maps = explanation.rgb if explanation.rgb is not None else explanation.maps
    raw = maps[0] if len(maps) == 1 else maps
    written = [out / "heatmap.npy", out / "image.png", out / "map.png"]
    np.save(written[0], raw)
    Image.fromarray(explanation.image).save(written[1])
    map_image = map_rgb(explanation, colormap, normalisation)
    height = explanation.image.shape[0]
    if map_image.shape[0] < height // 2:
        scale = max(1, height // map_image.shape[0])
        map_image = resize_rgb(map_image, map_image.shape[0] * scale, map_image.shape[1] * scale)
    Image.fromarray(map_image).save(written[2])
    if len(explanation.maps) == 1:
        unit, _ = normalise(explanation.maps, normalisation)
        path = out / "overlay.png"
        Image.fromarray(overlay(explanation.image, unit[0], colormap, alpha)).save(path)
        written.append(path)
    elif explanation.rgb is not None:
        path = out / "overlay.png"
        pca = pca_image(explanation.rgb, normalisation)
        Image.fromarray(blend(explanation.image, pca, alpha)).save(path)
        written.append(path)
    if explanation.tiles is not None:
        path = out / "filters.png"
        tiles = explanation.tiles
        strip = np.concatenate([np.pad(t, ((0, 1), (0, 1), (0, 0))) for t in tiles], axis=1)
        Image.fromarray(resize_rgb(strip, strip.shape[0] * 8, strip.shape[1] * 8)).save(path)
        written.append(path)
    recipe = explanation.recipe_dict() | {
        "normalisation": normalisation,
        "colormap": colormap,
        "overlay_alpha": alpha,
        "files": [p.name for p in written] + ["recipe.json"],
    }
    (out / "recipe.json").write_text(json.dumps(recipe, indent=2) + "\n", encoding="utf-8")
    return written + [out / "recipe.json"]
