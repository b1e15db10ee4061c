"""How the Explain workspace draws explanations: photo, map (or PCA picture) and overlay."""

from __future__ import annotations

import numpy as np

from core.explain.activations import map_bounds
from tui.widgets.heatmap import Heatmap


def draw_results(screen, results: list, normalisation: str, colormap: str, alpha: float) -> None:
    """Show `results` (one per target) in the screen's #photo, #map[2] and #overlay[2]."""
    from core.explain.export import blend, pca_image

    first = results[0]
    screen.query_one("#photo", Heatmap).show_image(first.image)
    screen.query_one("#row2").display = len(results) > 1
    joint = _joint_bounds([r.maps for r in results], normalisation) if len(results) > 1 else None
    for index, result in enumerate(results):
        suffix = "" if index == 0 else "2"
        map_view = screen.query_one(f"#map{suffix}", Heatmap)
        overlay_view = screen.query_one(f"#overlay{suffix}", Heatmap)
        overlay_view.display = (
            len(result.maps) == 1 or result.rgb is not None or (result.tiles is not None)
        )
        if result.rgb is not None:
            rgb = pca_image(result.rgb, normalisation)
            map_view.show_image(rgb, f"{result.layer} PCA → RGB {_size(rgb)}")
            overlay_view.show_image(blend(first.image, rgb, alpha), f"overlay (alpha {alpha:.1f})")
            continue
        bounds = joint or map_bounds(result.maps, normalisation)
        map_view.show_maps(result.maps, result.labels, bounds, colormap)
        if result.tiles is not None:
            overlay_view.show_image(_tile_strip(result.tiles), "filters (RGB, 0 = grey)")
        elif len(result.maps) == 1:
            overlay_view.show_maps(
                result.maps,
                ("overlay",),
                bounds,
                colormap,
                image=first.image,
                overlay=True,
                alpha=alpha,
            )


def _joint_bounds(maps_list: list, normalisation: str) -> list[tuple[float, float]]:
    """(lo, hi) per map of the first target, with every target's maps on one scale."""
    mode = "none" if normalisation == "none" else "shared"
    return map_bounds(np.concatenate(maps_list), mode)[: len(maps_list[0])]


def _size(image: np.ndarray) -> str:
    return f"{image.shape[1]}×{image.shape[0]}"


def _tile_strip(tiles: np.ndarray) -> np.ndarray:
    padded = [np.pad(tile, ((1, 1), (1, 1), (0, 0)), constant_values=128) for tile in tiles]
    return np.concatenate(padded, axis=1)
