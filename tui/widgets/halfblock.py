"""Pixels as terminal cells: `▀` with the upper pixel as foreground and the lower as background.

Pure functions (numpy + rich, no textual) shared by the heatmap widget, the Dataset screen and
`cnn-tui explain --show`. Maps are resampled as raw values to the cell grid first and only
then colour-mapped, so a cell's colour is the colour of a true (averaged) value.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from rich.cells import cell_len
from rich.color import Color, ColorTriplet, ColorType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from core.data.images import blend_rgb, resize_rgb, resize_values
from core.explain.activations import unit_scale
from core.explain.colormaps import apply_colormap, lut
from tui.widgets.xterm256 import nearest_index

HALF = "▀"

_TRUECOLORS: dict[int, Color] = {}
"""Colours by 0xRRGGBB, kept between frames (rich's own constructor formats a name each time)."""


def _packed_color(value: int) -> Color:
    color = _TRUECOLORS.get(value)
    if color is None:
        if len(_TRUECOLORS) > 200_000:
            _TRUECOLORS.clear()
        triplet = ColorTriplet((value >> 16) & 255, (value >> 8) & 255, value & 255)
        color = Color(f"#{value:06x}", ColorType.TRUECOLOR, triplet=triplet)
        _TRUECOLORS[value] = color
    return color


def _color(rgb, truecolor: bool) -> Color:
    if truecolor:
        return _packed_color((int(rgb[0]) << 16) | (int(rgb[1]) << 8) | int(rgb[2]))
    return Color.from_ansi(int(nearest_index(np.asarray(rgb, dtype=np.uint8)[None])[0]))


def _luma(rgb) -> float:
    """Rec. 709 luma of an RGB triple on the 0..255 scale."""
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]


Line = list[Segment]
"""One terminal row as rich segments (what Textual's line API and rich both draw)."""


def rgb_to_lines(
    rgb: np.ndarray, truecolor: bool = True, probe: tuple[int, int] | None = None
) -> list[Line]:
    """Render an RGB uint8 (H, W, 3) array as ceil(H/2) rows of W half-block cells.

    The upper pixel is the foreground of `▀`, the lower its background; an odd last row
    leaves the lower half to the terminal. `probe` (pixel row, column) marks its cell with ✚.
    Colours and styles are built once per distinct value, which keeps a full-screen map fast.
    """
    height, width = rgb.shape[:2]
    packed = (
        (rgb[..., 0].astype(np.int64) << 16) | (rgb[..., 1].astype(np.int64) << 8) | rgb[..., 2]
    )  # (H, W) 0xRRGGBB
    unique, inverse = np.unique(packed, return_inverse=True)
    if truecolor:
        colors = [_packed_color(v) for v in unique.tolist()]
    else:
        channels = np.stack([(unique >> 16) & 255, (unique >> 8) & 255, unique & 255], axis=1)
        colors = [Color.from_ansi(i) for i in nearest_index(channels.astype(np.uint8)).tolist()]
    inverse = inverse.reshape(height, width)
    tops = inverse[0::2].tolist()
    bottoms = inverse[1::2].tolist() + [[None] * width]
    styles: dict[tuple, Style] = {}
    lines: list[Line] = []
    for top_row, bottom_row in zip(tops, bottoms):
        line: Line = []
        for top, bottom in zip(top_row, bottom_row):
            style = styles.get((top, bottom))
            if style is None:
                style = Style.from_color(colors[top], None if bottom is None else colors[bottom])
                styles[(top, bottom)] = style
            line.append(Segment(HALF, style))
        lines.append(line)
    if probe is not None and 0 <= probe[0] // 2 < len(lines) and 0 <= probe[1] < width:
        row, col = probe[0] // 2, probe[1]
        pair = [rgb[2 * row, col]] + ([rgb[2 * row + 1, col]] if 2 * row + 1 < height else [])
        lines[row][col] = Segment("✚", _probe_style(np.mean(pair, axis=0), truecolor))
    return lines


def lines_to_text(lines: list[Line]) -> Text:
    """The same cells as one rich Text (for printing and for the Dataset screen)."""
    text = Text(no_wrap=True, overflow="crop")
    for index, line in enumerate(lines):
        if index:
            text.append("\n")
        for segment in line:
            text.append(segment.text, segment.style)
    return text


def rgb_to_text(
    rgb: np.ndarray, truecolor: bool = True, probe: tuple[int, int] | None = None
) -> Text:
    """An RGB uint8 (H, W, 3) image as rich Text: H/2 lines of W half-block cells."""
    return lines_to_text(rgb_to_lines(rgb, truecolor, probe))


def _probe_style(mean: np.ndarray, truecolor: bool) -> Style:
    light = _luma(mean) > 128
    return Style(color="black" if light else "white", bgcolor=_color(mean, truecolor), bold=True)


def map_pixels(
    values: np.ndarray,
    rows: int,
    cols: int,
    lo: float,
    hi: float,
    colormap: str = "viridis",
    underlay: np.ndarray | None = None,
    alpha: float = 0.5,
) -> np.ndarray:
    """RGB uint8 (2*rows, cols, 3) for a raw (h, w) map: resample, then scale, then colour.

    In 256-colour mode the same colours are later drawn with their nearest palette entries.
    With an `underlay` image the coloured map is blended over it with `alpha`.
    """
    resampled = resize_values(values, 2 * rows, cols)  # (2*rows, cols) raw values
    unit = np.clip(unit_scale(resampled, lo, hi), 0.0, 1.0)
    coloured = apply_colormap(unit, colormap)  # (2*rows, cols, 3)
    if underlay is None:
        return coloured
    return blend_rgb(resize_rgb(underlay, 2 * rows, cols), coloured, alpha)


def format_value(value: float) -> str:
    """A value with 4 significant digits, for bars and the probe."""
    return f"{value:.4g}"


def colorbar_text(
    lo: float, hi: float, width: int, colormap: str = "viridis", truecolor: bool = True
) -> Text:
    """One line: the real lower bound, a gradient of the colormap, the real upper bound.

    Without truecolor each step is drawn with its nearest xterm-256 entry.
    """
    left, right = format_value(lo) + " ", " " + format_value(hi)
    span = max(1, width - len(left) - len(right))
    table = lut(colormap)
    text = Text(left, no_wrap=True, overflow="crop")
    for i in range(span):
        index = int(round(i * 255 / max(1, span - 1)))
        text.append(" ", Style(bgcolor=_color(table[index], truecolor)))
    text.append(right)
    return text


def colorbar_lines(
    lo: float, hi: float, width: int, colormap: str = "viridis", truecolor: bool = True
) -> list[Text]:
    """`colorbar_text` in `width` cells; where the bounds leave no room for the gradient, the
    gradient gets its own line and the bounds go under it, whole."""
    left, right = format_value(lo), format_value(hi)
    if len(left) + len(right) + 3 <= width:
        return [colorbar_text(lo, hi, width, colormap, truecolor)]
    gradient = colorbar_text(lo, hi, width + len(left) + len(right) + 2, colormap, truecolor)
    gradient = gradient[len(left) + 1 : len(left) + 1 + width]
    bounds = [Text(line, style="dim") for line in wrap_words(f"{left} to {right}", width)]
    return [gradient, *bounds]


def wrap_words(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells, broken between words (a word longer than a
    whole line goes on over the next lines rather than being cut)."""
    width = max(1, width)
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and cell_len(line) + 1 + cell_len(word) <= width:
            line += " " + word
            continue
        if line:
            lines.append(line)
        while cell_len(word) > width:
            lines.append(word[:width])
            word = word[width:]
        line = word
    if line:
        lines.append(line)
    return lines


def tile_captions(labels: list[str], width: int) -> list[list[str]]:
    """Each tile's caption as lines of at most `width` cells, broken between words.

    When some label does not fit on one line, the words every label starts with are dropped
    ("layer4[12]" → "[12]", "layer4 PC1" → "PC1"): what tells the tiles apart stays, and the
    probe's status still names the whole label.
    """
    if len(labels) > 1 and any(cell_len(label) > width for label in labels):
        shared = os.path.commonprefix(labels)
        cut = max(shared.rfind(" ") + 1, shared.rfind("["))
        if cut > 0:
            labels = [label[cut:] for label in labels]
    return [wrap_words(label, width) for label in labels]


@dataclass(frozen=True)
class GridLayout:
    """Where N tiles of an (h, w) map go in a box of cells."""

    columns: int  # tiles per row
    rows: int  # rows of tiles
    tile_cols: int  # cells across one tile
    tile_rows: int  # cells down one tile (each cell holds 2 pixel rows)


def grid_layout(
    count: int, map_shape: tuple[int, int], width: int, height: int, label_lines: int = 1
) -> GridLayout:
    """The tile arrangement with the largest tiles that keep the map's aspect ratio.

    Cells are taken as twice as tall as wide, so one cell holds two square pixels.
    """
    h, w = map_shape
    best = GridLayout(1, count, 1, 1)
    for columns in range(1, count + 1):
        rows = -(-count // columns)
        avail_w = (width - (columns - 1)) // columns
        avail_h = (height - rows * label_lines) // rows
        if avail_w < 1 or avail_h < 1:
            continue
        tile_cols = min(avail_w, int(2 * avail_h * w / h))
        tile_rows = max(1, int(np.ceil(tile_cols * h / w / 2)))
        if tile_rows > avail_h:
            tile_rows = avail_h
        if tile_cols >= 1 and tile_cols > best.tile_cols:
            best = GridLayout(columns, rows, tile_cols, tile_rows)
    return best


def text_line(text: Text, console) -> Line:
    """A one-line Text as segments (for captions beside rendered cells)."""
    return [segment for segment in text.render(console) if segment.text != "\n"]


def compose_grid(
    tiles: list[list[Line]], captions: list[list[Line]], layout: GridLayout
) -> list[Line]:
    """Rows of tiles side by side (one space apart), each row of tiles under its captions
    (each caption one or more lines, wrapped to fit; all get as many lines as the longest).
    Beside another tile a caption line is padded to its tile's width; a tile alone in its row
    may have a caption as wide as the whole picture."""
    gap = Segment(" ")
    depth = max((len(caption) for caption in captions), default=0)
    lines: list[Line] = []
    for row in range(layout.rows):
        members = list(range(row * layout.columns, min(len(tiles), (row + 1) * layout.columns)))
        for caption_line in range(depth):
            line: Line = []
            for i, index in enumerate(members):
                if i:
                    line.append(gap)
                caption = captions[index]
                part = caption[caption_line] if caption_line < len(caption) else []
                alone = layout.columns == 1  # nothing beside it: the caption may be wider
                line.extend(part if alone else Segment.adjust_line_length(part, layout.tile_cols))
            lines.append(line)
        for line_index in range(layout.tile_rows):
            line = []
            for i, index in enumerate(members):
                if i:
                    line.append(gap)
                line.extend(tiles[index][line_index])
            lines.append(line)
    return lines
