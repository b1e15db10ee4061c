"""Live training curves in the terminal: plotext line plots that thin their data and cap redraws.

A run can log 10k steps; drawing them all four times a second would stall the UI. The plot keeps
the latest lines, redraws at most `MAX_FPS` times a second, and thins each line to ≤ 2 points per
plot column with min/max decimation so spikes stay visible. Log scales are not offered: plotext
breaks them on the second build.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from textual_plotext import PlotextPlot

from core.curves import Series, decimate

RUN_COLORS = ("blue+", "orange", "green+", "magenta+", "cyan+", "red+", "yellow", "blue")
"""One colour per run when several runs are overlaid (readable on dark and light themes)."""

AXES_WIDTH = 10  # columns plotext spends on the y tick labels and the frame


@dataclass(frozen=True)
class PlotLine:
    """One line of a plot with its legend entry."""

    series: Series  # the data (x ascending)
    label: str  # legend text
    color: str  # a plotext colour name
    marker: str = "braille"  # plotext marker; several metrics of one run differ by marker


def finite_points(series: Series) -> tuple[list[float], list[float]]:
    """The points plotext can draw (it chokes on NaN and infinities)."""
    pairs = [(x, y) for x, y in zip(series.x, series.y) if math.isfinite(y)]
    return [x for x, _ in pairs], [y for _, y in pairs]


class CurvePlot(PlotextPlot):
    """A titled line plot with labelled axes and a legend, redrawn at most MAX_FPS times a second."""

    DEFAULT_CSS = """
    CurvePlot {
        height: 1fr;
        min-height: 12;
        min-width: 30;
    }
    """

    MAX_FPS = 4
    """Redraw cap: new data marks the plot dirty; a timer rebuilds it at most this often."""

    def __init__(
        self, title: str, xlabel: str, ylabel: str, *, id: str | None = None,
        ylim: tuple[float, float] | None = None,
    ) -> None:
        super().__init__(id=id)
        self.plot_title = title
        self.xlabel = xlabel
        self.ylabel = ylabel
        self.ylim = ylim
        self.lines: tuple[PlotLine, ...] = ()
        self.builds = 0  # how many times the figure was rebuilt (tests and the benchmark read it)
        self._dirty = True

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(1 / self.MAX_FPS, self.flush)

    def set_lines(self, lines: Sequence[PlotLine], *, xlabel: str | None = None) -> None:
        """Show these lines from the next redraw on (cheap: call it as often as data arrives)."""
        self.lines = tuple(lines)
        if xlabel is not None:
            self.xlabel = xlabel
        self._dirty = True

    def on_resize(self) -> None:
        self._dirty = True
        self.flush()

    def flush(self) -> None:
        """Rebuild the figure now if anything changed since the last build."""
        if not self._dirty:
            return
        self._dirty = False
        self.build_figure()
        self.refresh()

    def build_figure(self) -> None:
        """Put the current lines, thinned to the plot's width, into the plotext figure."""
        plt = self.plt
        plt.clear_figure()
        plt.xlabel(self.xlabel)
        plt.ylabel(self.ylabel)
        columns = max(self.size.width - AXES_WIDTH, 10)
        drawn = 0
        x_max = 0.0
        for line in self.lines:
            xs, ys = finite_points(decimate(line.series, columns))
            if xs:
                plt.plot(xs, ys, label=line.label, color=line.color, marker=line.marker)
                drawn += 1
                x_max = max(x_max, xs[-1])
        if self.xlabel == "epoch" and 1 <= x_max <= 200:
            step = max(1, math.ceil(x_max / 8))
            plt.xticks(list(range(0, int(x_max) + 1, step)) or [1])
        plt.title(self.plot_title if drawn else f"{self.plot_title} — no data yet")
        if self.ylim is not None and drawn:
            plt.ylim(*self.ylim)
        self.builds += 1
