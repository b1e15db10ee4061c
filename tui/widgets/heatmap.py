"""A heatmap widget that shows raw values faithfully: resample first, colour second, real
bounds on the colour bar, and a probe cursor that reads out the value under it.

One map, a grid of maps on one shared scale, a map over its photo (alpha), or a plain image.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from core.data.images import resize_rgb
from tui.widgets.halfblock import (
    GridLayout,
    Line,
    colorbar_lines,
    compose_grid,
    format_value,
    grid_layout,
    map_pixels,
    rgb_to_lines,
    text_line,
    tile_captions,
    wrap_words,
)


class Heatmap(Widget, can_focus=True):
    """Half-block heatmap (two pixels per cell) with colour bar and probe (hjkl / arrows)."""

    DEFAULT_CSS = """
    Heatmap {
        height: 1fr;
        min-height: 6;
        width: 1fr;
    }
    """

    BINDINGS = [
        Binding("left,h", "probe(0, -1)", "Probe ←", tooltip="Move the probe left.", show=False),
        Binding("right,l", "probe(0, 1)", "Probe →", tooltip="Move the probe right.", show=False),
        Binding("up,k", "probe(-1, 0)", "Probe ↑", tooltip="Move the probe up.", show=False),
        Binding("down,j", "probe(1, 0)", "Probe ↓", tooltip="Move the probe down.", show=False),
    ]
    """The probe moves one cell per key; off the edge of a grid tile it enters the next."""

    class Probed(Message):
        """Sent when the probe cursor moves to another value."""

        def __init__(self, heatmap: Heatmap, tile: int, y: int, x: int, value: float) -> None:
            super().__init__()
            self.heatmap = heatmap
            self.tile = tile  # index of the map in a grid (0 for a single map)
            self.y = y  # row in the raw map
            self.x = x  # column in the raw map
            self.value = value  # raw value at (y, x)

    def __init__(
        self,
        *,
        truecolor: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.truecolor = truecolor  # False: 256-colour terminal, nearest palette colours
        self.maps: np.ndarray | None = None  # (N, h, w) raw values
        self.labels: tuple[str, ...] = ()
        self.bounds: list[tuple[float, float]] = []  # (lo, hi) per map
        self.image: np.ndarray | None = None  # (H, W, 3) uint8 photo
        self.caption: str | None = None  # under a plain image; None = "image W×H"
        self.colormap = "viridis"
        self.overlay = False  # draw maps over `image`
        self.alpha = 0.5  # overlay opacity of the map, 0..1
        self.probe: tuple[int, int, int] = (0, 0, 0)  # (tile, y, x) in raw map coordinates
        self.reserve = 0  # lines of the height kept from the picture, at least (`set_reserve`)
        self._layout: GridLayout | None = None
        self._cache: tuple[tuple, list[Line]] | None = None

    def show_maps(
        self,
        maps: np.ndarray,
        labels: tuple[str, ...] = (),
        bounds: list[tuple[float, float]] | None = None,
        colormap: str = "viridis",
        image: np.ndarray | None = None,
        overlay: bool = False,
        alpha: float = 0.5,
    ) -> None:
        """Show raw maps (N, h, w) or (h, w); bounds default to one shared min/max."""
        maps = np.asarray(maps, dtype=np.float32)
        self.maps = maps[None] if maps.ndim == 2 else maps
        self.labels = labels
        if bounds is None:
            finite = self.maps[np.isfinite(self.maps)]
            lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
            bounds = [(lo, hi)] * len(self.maps)
        self.bounds = list(bounds)
        self.colormap, self.image, self.overlay, self.alpha = colormap, image, overlay, alpha
        tile, y, x = self.probe
        h, w = self.maps.shape[1:]
        self.probe = (min(tile, len(self.maps) - 1), min(y, h - 1), min(x, w - 1))
        self._changed()

    def show_image(self, image: np.ndarray, caption: str | None = None) -> None:
        """Show a plain RGB uint8 image (no values, no colour bar) with a caption under it."""
        self.caption = caption
        self.maps, self.labels, self.bounds = None, (), []
        self.image, self.overlay = image, False
        self._changed()

    def set_style(
        self,
        *,
        colormap: str | None = None,
        alpha: float | None = None,
        overlay: bool | None = None,
    ) -> None:
        """Change how the same values are drawn."""
        if colormap is not None:
            self.colormap = colormap
        if alpha is not None:
            self.alpha = min(max(alpha, 0.0), 1.0)
        if overlay is not None:
            self.overlay = overlay
        self._changed()

    def probe_value(self) -> float | None:
        """The raw value under the probe, or None when no map is shown."""
        if self.maps is None:
            return None
        tile, y, x = self.probe
        return float(self.maps[tile, y, x])

    def _changed(self) -> None:
        self._cache = None
        self.refresh()

    def action_probe(self, dy: int, dx: int) -> None:
        """Move the probe by one cell (in raw pixels: the map's pixels per cell)."""
        if self.maps is None or self._layout is None:
            return
        count, h, w = self.maps.shape
        tile, y, x = self.probe
        step_x = max(1, int(round(w / self._layout.tile_cols)))
        step_y = max(1, int(round(h / (2 * self._layout.tile_rows))))
        y, x = y + dy * step_y, x + dx * step_x
        if x >= w and tile + 1 < count:
            tile, x = tile + 1, 0
        elif x < 0 and tile > 0:
            tile, x = tile - 1, w - 1
        self.probe = (tile, min(max(y, 0), h - 1), min(max(x, 0), w - 1))
        self._changed()
        value = self.probe_value()
        assert value is not None
        self.post_message(self.Probed(self, *self.probe, value))

    def render_line(self, y: int) -> Strip:
        width, height = self.size.width, self.size.height
        key = (width, height, self.has_focus, self.reserve)
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, self._build_lines(width, height))
        lines = self._cache[1]
        if y >= len(lines):
            return Strip.blank(width, self.rich_style)
        return Strip(lines[y]).adjust_cell_length(width, self.rich_style)

    def rendered_text(self) -> list[str]:
        """The plain text of each line as last drawn (for tests and screen readers)."""
        if self._cache is None:
            return []
        return ["".join(segment.text for segment in line) for line in self._cache[1]]

    def text_lines(self, width: int, height: int) -> int:
        """How many lines of text the picture comes with at `width` × `height` cells: its
        caption above, and under maps the colour bar and probe status."""
        if self.maps is None and self.image is None:
            return 0
        width, height = max(1, width), max(1, height)
        if self.maps is None:
            return len(self._caption(width))
        below = self._text_below(width, self.app.console)
        _, captions = self._captioned_layout(width, max(1, height - len(below)))
        return len(below) + max((len(caption) for caption in captions), default=0)

    def set_reserve(self, lines: int) -> None:
        """Keep at least `lines` lines of the height from the picture: for its text (see
        `text_lines`), the rest left blank at the foot. Pictures side by side come out the same
        size when each keeps its height less the rows the most crowded one has left."""
        if lines != self.reserve:
            self.reserve = lines
            self.refresh()

    def _build_lines(self, width: int, height: int) -> list[Line]:
        console = self.app.console
        if self.maps is None and self.image is None:
            placeholder = Text("(nothing to show yet)", style="dim")  # wrapped, never cut
            return [text_line(line, console) for line in placeholder.wrap(console, max(1, width))]
        spare = max(0, self.reserve - self.text_lines(width, height))  # left blank at the foot
        if self.maps is None:
            caption = [text_line(Text(line, style="dim"), console) for line in self._caption(width)]
            return caption + self._image_lines(width, max(1, height - len(caption) - spare))
        below = [text_line(line, console) for line in self._text_below(width, console)]
        box = max(1, height - len(below) - spare)
        return self._map_lines(width, box, console) + below  # all text wraps, never cut

    def _caption(self, width: int) -> list[str]:
        """The caption over a plain image, wrapped between words."""
        assert self.image is not None
        h, w = self.image.shape[:2]
        return wrap_words(self.caption or f"image {w}×{h}", width)

    def _text_below(self, width: int, console) -> list[Text]:
        """The colour bar and the probe status under maps, wrapped."""
        assert self.maps is not None
        h, w = self.maps.shape[1:]
        probe_tile, probe_y, probe_x = self.probe
        lo, hi = self.bounds[probe_tile]
        scale = (
            "shared scale" if len(set(self.bounds)) == 1 else f"scale of {self._label(probe_tile)}"
        )
        value = self.probe_value()
        assert value is not None
        status = Text(
            f"{scale} · probe {self._label(probe_tile)} (y {probe_y}, x {probe_x}) = "
            f"{format_value(value)} · map {h}×{w}",
            style="dim",
        )
        bar = colorbar_lines(lo, hi, min(width, 60), self.colormap, self.truecolor)
        return bar + list(status.wrap(console, max(1, width)))

    def _image_lines(self, width: int, height: int) -> list[Line]:
        assert self.image is not None
        h, w = self.image.shape[:2]
        layout = grid_layout(1, (h, w), width, height, label_lines=0)
        pixels = resize_rgb(self.image, 2 * layout.tile_rows, layout.tile_cols)
        return rgb_to_lines(pixels, self.truecolor)

    def _map_lines(self, width: int, height: int, console) -> list[Line]:
        """The map tiles under their captions, in a box of `width` × `height` cells."""
        assert self.maps is not None
        count, h, w = self.maps.shape
        grid = count > 1
        layout, captions = self._captioned_layout(width, height)
        self._layout = layout
        probe_tile, probe_y, probe_x = self.probe
        tiles = []
        for index in range(count):
            lo, hi = self.bounds[index]
            underlay = self.image if self.overlay else None
            pixels = map_pixels(
                self.maps[index],
                layout.tile_rows,
                layout.tile_cols,
                lo,
                hi,
                self.colormap,
                underlay,
                self.alpha,
            )
            probe = None
            if index == probe_tile and self.has_focus:
                probe = (probe_y * 2 * layout.tile_rows // h, probe_x * layout.tile_cols // w)
            tiles.append(rgb_to_lines(pixels, self.truecolor, probe))
        styled = [
            [
                text_line(Text(line, style="bold" if grid and i == probe_tile else "dim"), console)
                for line in caption
            ]
            for i, caption in enumerate(captions)
        ]
        return compose_grid(tiles, styled, layout)

    def _captioned_layout(self, width: int, height: int) -> tuple[GridLayout, list[list[str]]]:
        """The largest tiles whose captions fit above them, wrapped between words to the tile
        width (to the whole width for tiles one under another)."""
        assert self.maps is not None
        count, h, w = self.maps.shape
        labels = [self._label(i) for i in range(count)] if count > 1 or self.labels else []
        label_lines = 1 if labels else 0
        while True:
            layout = grid_layout(count, (h, w), width, height, label_lines)
            captions = tile_captions(labels, layout.tile_cols if layout.columns > 1 else width)
            needed = max((len(caption) for caption in captions), default=0)
            if needed <= label_lines or layout.tile_cols <= 1:
                return layout, captions
            label_lines = needed

    def _label(self, index: int) -> str:
        return self.labels[index] if index < len(self.labels) else f"map {index}"
