"""`cnn-tui explain --show`: maps and overlays drawn as half-block pictures in the terminal."""

from __future__ import annotations


def show_explanation(console, explanation, args) -> None:
    """Draw the maps (or the PCA picture), the overlay and the colour bar in the terminal."""
    from rich.text import Text

    from core.explain.activations import map_bounds
    from tui.config import terminal_has_truecolor
    from tui.widgets.halfblock import colorbar_text, grid_layout, map_pixels, rgb_to_lines

    truecolor = console.color_system == "truecolor" or terminal_has_truecolor()
    width = min(console.width, 100)
    if explanation.rgb is not None:
        _show_pca(console, explanation, args, truecolor, width)
    else:
        maps = explanation.maps
        bounds = map_bounds(maps, args.normalise)
        single = len(maps) == 1
        layout = grid_layout(
            2 if single else len(maps), maps.shape[1:], width, 24 if single else 40, label_lines=1
        )
        tiles, labels = [], list(explanation.labels)
        for index, raw in enumerate(maps):
            lo, hi = bounds[index]
            tiles.append(
                rgb_to_lines(
                    map_pixels(raw, layout.tile_rows, layout.tile_cols, lo, hi, args.colormap),
                    truecolor,
                )
            )
        if single:
            lo, hi = bounds[0]
            tiles.append(
                rgb_to_lines(
                    map_pixels(
                        maps[0],
                        layout.tile_rows,
                        layout.tile_cols,
                        lo,
                        hi,
                        args.colormap,
                        explanation.image,
                        args.alpha,
                    ),
                    truecolor,
                )
            )
            labels.append(f"overlay (alpha {args.alpha})")
        print_grid(console, tiles, labels, layout)
        lo, hi = bounds[0]
        console.print(colorbar_text(lo, hi, min(width, 60), args.colormap, truecolor))
        shared = len(set(bounds)) == 1
        console.print(
            Text(
                "one shared scale" if shared else f"each map on its own scale (bar: {labels[0]})",
                style="dim",
            )
        )
    if not truecolor:
        console.print(
            "256 colours: nearest palette colours; for exact colours add --truecolor "
            "(cnn-tui --truecolor explain ...) or set COLORTERM=truecolor."
        )


def _show_pca(console, explanation, args, truecolor: bool, width: int) -> None:
    """PCA as one RGB picture and its overlay on the photo, exactly as the screen draws it."""
    from rich.text import Text

    from core.data.images import resize_rgb
    from core.explain.export import blend, pca_image
    from tui.widgets.halfblock import grid_layout, rgb_to_lines

    rgb = pca_image(explanation.rgb, args.normalise)  # (h, w, 3)
    layout = grid_layout(2, rgb.shape[:2], width, 24, label_lines=1)
    pictures = [rgb, blend(explanation.image, rgb, args.alpha)]
    tiles = [
        rgb_to_lines(resize_rgb(picture, 2 * layout.tile_rows, layout.tile_cols), truecolor)
        for picture in pictures
    ]
    print_grid(
        console, tiles, [f"{explanation.layer} PCA → RGB", f"overlay (alpha {args.alpha})"], layout
    )
    console.print(
        Text(f"PC1 → red, PC2 → green, PC3 → blue; scaling: {args.normalise}", style="dim")
    )


def print_grid(console, tiles: list, labels: list[str], layout) -> None:
    """Print half-block tiles side by side under bold captions (wrapped, never cut)."""
    from rich.segment import Segment, Segments
    from rich.text import Text

    from tui.widgets.halfblock import compose_grid, text_line, tile_captions

    captions = [
        [text_line(Text(line, style="bold"), console) for line in caption]
        for caption in tile_captions(labels, layout.tile_cols)
    ]
    segments = []
    for line in compose_grid(tiles, captions, layout):
        segments.extend(line + [Segment.line()])
    console.print(Segments(segments))
