"""Live training curves in the terminal: plotext line plots built off the UI thread, thinned and capped.

A run can log 10k steps, and one plotext build of a 60×16 figure costs tens of milliseconds; doing
that on the UI thread after every key or event would make the keys lag. The plot therefore keeps
the latest lines, thins each to ≤ 2 points per column with min/max decimation (spikes stay
visible), and builds the picture in a thread only when it is on screen, at most `MAX_FPS` times a
second for streamed data, at once (coalesced) after a key. The legend is a coloured line under the
figure, so it never hides curves. Log scales are not offered: plotext breaks them on the second
build.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.strip import Strip
from textual_plotext import PlotextPlot

from core.runs.curves import Series, decimate

RUN_COLORS = ("blue", "orange", "green", "magenta", "cyan", "red", "olive", "gray")
"""One colour name per run when several runs are overlaid (see `PALETTES`)."""

PALETTES = {
    "dark": {
        "blue": (100, 160, 255),
        "orange": (255, 160, 60),
        "green": (90, 215, 120),
        "magenta": (225, 120, 225),
        "cyan": (80, 215, 225),
        "red": (255, 100, 100),
        "olive": (215, 205, 90),
        "gray": (185, 185, 185),
    },
    "light": {
        "blue": (20, 80, 200),
        "orange": (195, 85, 0),
        "green": (0, 125, 45),
        "magenta": (150, 20, 150),
        "cyan": (0, 115, 135),
        "red": (195, 20, 20),
        "olive": (120, 105, 0),
        "gray": (85, 85, 85),
    },
}
"""RGB per colour name: bright on dark themes, deep on light ones, so every line stays readable."""

MARKER_SAMPLES = {"braille": "⣿", "hd": "▚", "dot": "•"}
"""What the legend shows for each plotext marker."""

AXES_WIDTH = 10  # columns plotext spends on the y tick labels and the frame

_PLOTEXT_LOCK = (
    threading.Lock()
)  # one plotext build at a time: fewer threads fighting the UI for the GIL


@dataclass(frozen=True)
class PlotLine:
    """One line of a plot with its legend entry."""

    series: Series  # the data (x ascending)
    label: str  # legend text
    color: str  # a name in PALETTES
    marker: str = "braille"  # plotext marker; several metrics of one run differ by marker
    group: str = ""  # the run, when several runs share the plot (the legend colours it once)
    kind: str = ""  # the split ("train", "val", …), when several share the plot (shown by marker)


def finite_points(series: Series) -> tuple[list[float], list[float]]:
    """The points plotext can draw (it chokes on NaN and infinities)."""
    pairs = [(x, y) for x, y in zip(series.x, series.y) if math.isfinite(y)]
    return [x for x, _ in pairs], [y for _, y in pairs]


def legend_entries(lines: Sequence[PlotLine]) -> list[tuple[str, str]]:
    """(text, colour name) legend entries: one per line, or for an overlay one per run and split.

    Overlaid runs differ by colour and splits by marker, so `■ run` entries carry the colours and
    `⣿ train` entries the markers: the legend stays a line or two even with four runs.
    """
    groups = list(dict.fromkeys(line.group for line in lines if line.group))
    if len(groups) < 2:
        return [
            (f"{MARKER_SAMPLES.get(line.marker, '■')} {line.label}", line.color) for line in lines
        ]
    colors = {line.group: line.color for line in lines}
    entries = [(f"■ {group}", colors[group]) for group in groups]
    kinds = dict.fromkeys((line.marker, line.kind) for line in lines if line.kind)
    if len(kinds) > 1:
        entries += [(f"{MARKER_SAMPLES.get(marker, '■')} {kind}", "") for marker, kind in kinds]
    return entries


def legend_text(lines: Sequence[PlotLine], width: int, dark: bool) -> Text:
    """The legend as coloured entries, wrapped to `width` columns."""
    palette = PALETTES["dark" if dark else "light"]
    text = Text(overflow="ellipsis")
    used = 0
    for entry, color in legend_entries(lines):
        if used and used + 2 + len(entry) > width:
            text.append("\n")
            used = 0
        elif used:
            text.append("  ")
            used += 2
        if color:
            red, green, blue = palette.get(color, palette["gray"])
            text.append(entry, style=f"rgb({red},{green},{blue})")
        else:
            text.append(entry)
        used += len(entry)
    return text


def step_ticks(lo: float, hi: float, count: int = 6) -> list[int]:
    """About `count` whole-number ticks at 1, 2 or 5 × 10^k spacing covering lo..hi."""
    span = max(hi - lo, 1.0)
    raw = span / max(count - 1, 1)
    magnitude = 10 ** max(0, math.floor(math.log10(raw)))
    spacing = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.ceil(lo / spacing) * spacing
    return [int(first + i * spacing) for i in range(int((hi - first) // spacing) + 1)]


class CurvePlot(PlotextPlot):
    """A titled line plot with labelled axes and a legend line, built in a thread when shown."""

    DEFAULT_CSS = """
    CurvePlot {
        height: 1fr;
        min-height: 12;
        min-width: 30;
    }
    """

    MAX_FPS = 4
    """Redraw cap for streamed data: new lines wait for a timer that flushes this often."""

    class Built(Message):
        """Sent when a thread finished building the picture for one state of the plot."""

        def __init__(self, key: tuple, strips: list[Strip]) -> None:
            super().__init__()
            self.key = key
            self.strips = strips

    def __init__(self, title: str, xlabel: str, ylabel: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plot_title = title
        self.xlabel = xlabel
        self.ylabel = ylabel
        self._source: Callable[[], Sequence[PlotLine]] = tuple
        self._lines: tuple[PlotLine, ...] = ()
        self._lines_version = 0
        self._lines_lock = threading.Lock()
        self.builds = 0  # how many times the figure was rebuilt (tests and the benchmark read it)
        self._version = 0  # bumped by every set_source
        self._shown_version = -1  # the version the last flush asked to paint
        self._building = False
        self._strips: list[Strip] = []  # the last built picture, one Strip per row
        self._text_key: tuple | None = None  # (version, width, height, theme, dark) of `_strips`

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(1 / self.MAX_FPS, self.flush)

    def set_lines(
        self,
        lines: Sequence[PlotLine],
        *,
        xlabel: str | None = None,
        now: bool = False,
    ) -> None:
        """Show these lines from the next redraw on (cheap: call it as often as data arrives)."""
        lines = tuple(lines)
        self.set_source(lambda: lines, xlabel=xlabel, now=now)

    def set_source(
        self,
        source: Callable[[], Sequence[PlotLine]],
        *,
        xlabel: str | None = None,
        now: bool = False,
    ) -> None:
        """Show the lines `source()` returns from the next redraw on; the build thread calls it, so
        series and smoothing of long runs are computed off the UI thread too.

        `now` skips the rate cap (after a key press); the build still happens off the UI thread.
        """
        with self._lines_lock:
            self._source = source
            if xlabel is not None:
                self.xlabel = xlabel
            self._version += 1
        if now:
            self.flush()

    @property
    def lines(self) -> tuple[PlotLine, ...]:
        """The current lines (computed from the source once per change, on whichever thread asks)."""
        with self._lines_lock:
            version, source = self._version, self._source
            if self._lines_version == version:
                return self._lines
        lines = tuple(source())  # outside the lock: set_source never waits for a computation
        with self._lines_lock:
            if self._lines_version < version:
                self._lines, self._lines_version = lines, version
        return lines

    def flush(self) -> None:
        """Ask for a repaint if the lines changed since the last one (render_line starts the build)."""
        if self._shown_version != self._version:
            self._shown_version = self._version
            self.refresh()

    def wanted_key(self) -> tuple:
        theme = self.app.current_theme
        return (self._shown_version, self.size.width, self.size.height, theme.name, theme.dark)

    def render_line(self, y: int) -> Strip:
        """A row of the last built picture; starts a build in a thread when it is out of date.

        Textual asks only for rows on screen, so a plot scrolled out of view is not rebuilt.
        """
        key = self.wanted_key()
        if key != self._text_key and not self._building and self.size.width and self.size.height:
            self._building = True
            self.run_worker(
                lambda: self._build_in_thread(key),
                thread=True,
                group="plot-build",
                exit_on_error=False,
            )
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width, self.rich_style)

    def _build_in_thread(self, key: tuple) -> None:
        self.post_message(self.Built(key, self.picture(key)))

    def picture(self, key: tuple) -> list[Strip]:
        """The rows of the picture for `wanted_key()` = `key` (blocking: tens of milliseconds)."""
        _, width, height, theme, dark = key
        try:
            with _PLOTEXT_LOCK:
                text = self.build_text(width, height, self._get_plotext_theme_name(theme), dark)
        except (
            Exception
        ) as error:  # plotext can raise on odd data: show it rather than freeze the plot
            text = Text(f"{self.plot_title}: cannot draw ({error})", style="italic")
        text.no_wrap, text.overflow = True, "crop"
        console = self.app.console
        rows = console.render_lines(text, console.options.update_width(width), pad=True)
        return [Strip(row, width) for row in rows[:height]]

    def on_curve_plot_built(self, message: Built) -> None:
        message.stop()
        self._building = False
        self._strips, self._text_key = message.strips, message.key
        self.refresh()

    def build_text(self, width: int, height: int, theme: str, dark: bool) -> Text:
        """The whole picture at this size: the plotext figure, then the legend under it."""
        lines = self.lines
        legend = legend_text(lines, width, dark) if lines else Text()
        rows = len(legend.plain.splitlines()) if lines else 0
        self.build_figure(width, max(height - rows, 5), dark)
        self.plt.theme(theme)
        figure = Text.from_ansi(self.plt.build())
        if figure.plain.endswith("\n"):
            figure.right_crop(1)
        if rows:
            figure.append("\n")
            figure.append_text(legend)
        return figure

    def build_figure(
        self, width: int | None = None, height: int | None = None, dark: bool = True
    ) -> None:
        """Put the current lines, thinned to the plot's width, into the plotext figure."""
        width = self.size.width if width is None else width
        height = self.size.height if height is None else height
        palette = PALETTES["dark" if dark else "light"]
        plt = self.plt
        plt.clear_figure()
        plt.plotsize(width, height)
        plt._set_size(width, height)
        plt.xlabel(self.xlabel)
        plt.ylabel(self.ylabel)
        columns = max(width - AXES_WIDTH, 10)
        drawn = 0
        x_min, x_max = math.inf, 0.0
        for line in self.lines:
            xs, ys = finite_points(decimate(line.series, columns))
            if xs:
                plt.plot(xs, ys, color=palette.get(line.color, palette["gray"]), marker=line.marker)
                drawn += 1
                x_min, x_max = min(x_min, xs[0]), max(x_max, xs[-1])
        if self.xlabel == "epoch" and 1 <= x_max <= 200:
            step = max(1, math.ceil(x_max / 8))
            plt.xticks(list(range(0, int(x_max) + 1, step)) or [1])
        elif self.xlabel == "training step" and drawn and x_max >= 1:
            plt.xticks(step_ticks(x_min, x_max, max(2, min(6, width // 14))) or [int(x_max)])
        plt.title(self.plot_title if drawn else f"{self.plot_title} — no data yet")
        self.builds += 1
