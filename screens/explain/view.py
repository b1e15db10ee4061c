"""How the Explain workspace draws explanations: photo, map (or PCA picture) and overlay."""

from __future__ import annotations

import numpy as np
from textual.containers import Horizontal

from core.explain.activations import map_bounds
from tui.widgets.heatmap import Heatmap


class PictureRow(Horizontal):
    """A row of pictures (photo, map, overlay), evened out by `even_out` whenever it resizes."""

    def on_resize(self) -> None:
        even_out(self.screen)


def even_out(screen) -> None:
    """Draw every picture shown the same size: side by side, each row's pictures get the same
    number of columns (fr units leave one a column wider whenever the width does not divide);
    stacked (a `-narrow` screen), each takes the row's width. Every picture then gets as many
    rows as the one with the least room beside its text, so the pictures match in height too."""
    stacked = screen.has_class("-narrow")
    pictures: list[tuple[Heatmap, int]] = []
    for row in screen.query(PictureRow):
        shown = [child for child in row.children if child.display]
        room = row.content_size.width
        if not row.display or not shown or room < 1:  # not laid out yet: its resize comes
            continue
        width = room if stacked else (room - (len(shown) - 1)) // len(shown)  # 1-cell gaps
        for child in shown:
            child.styles.width = None if stacked else max(1, width)
        pictures += [(child, width) for child in shown if isinstance(child, Heatmap)]
    heights = [picture.size.height for picture, _ in pictures]
    rows = min(
        (h - picture.text_lines(width, h) for (picture, width), h in zip(pictures, heights)),
        default=0,
    )
    for (picture, _), height in zip(pictures, heights):
        picture.set_reserve(height - rows)


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
    even_out(screen)


def _joint_bounds(maps_list: list, normalisation: str) -> list[tuple[float, float]]:
    """(lo, hi) per map of the first target, with every target's maps on one scale."""
    mode = "none" if normalisation == "none" else "shared"
    return map_bounds(np.concatenate(maps_list), mode)[: len(maps_list[0])]


def _size(image: np.ndarray) -> str:
    return f"{image.shape[1]}×{image.shape[0]}"


def _tile_strip(tiles: np.ndarray) -> np.ndarray:
    padded = [np.pad(tile, ((1, 1), (1, 1), (0, 0)), constant_values=128) for tile in tiles]
    return np.concatenate(padded, axis=1)
