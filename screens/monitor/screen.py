"""Monitor: every run of the runs folder, live curves, comparison, control and export.

A thread worker tails the runs folder and posts snapshots; the screen only draws them, so the
keys stay responsive while a run streams at full speed, and closing the app loses nothing.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from core.cluster.states import LIVE_STATES
from core.runs.curves import Smoothing, XAxis
from core.runs.names import display_name, display_names
from screens.monitor.control import RunControls
from screens.monitor.memory import Remembered, recall, remember
from screens.monitor.view import (
    RESULT_HEADERS,
    SMOOTHING_TITLES,
    details_text,
    metric_lines,
    result_row,
    step_lines,
    trouble,
)
from tui.messages import ShowRun
from tui.run_watch import RunSnapshot, RunsWatcher
from tui.widgets.curves import CurvePlot
from tui.widgets.runs_table import SORT_KEYS, RunsTable, run_row
from tui.workspace_screen import WorkspaceScreen

POLL_SECONDS = 0.5  # how often the tail thread looks at the runs folder
LOADING_PAUSE_SECONDS = 0.03  # between two reads of a long log (each at most READ_BYTES)
LOADING_REDRAW_SECONDS = 1.0  # how often the table is redrawn while long logs load
SMOOTHINGS: tuple[Smoothing, ...] = ("ema", "mean", "raw")


class MonitorScreen(RunControls, WorkspaceScreen):
    """Runs table, curves of the current or selected runs, report table, run control."""

    WORKSPACE = "monitor"
    CSS_PATH = "monitor.tcss"

    BINDINGS = [
        Binding(
            "space", "toggle_select", "Compare", tooltip="Mark or unmark this run for the overlay."
        ),
        Binding(
            "g",
            "select_sweep",
            "Sweep",
            tooltip="Mark every run of this run's sweep for the overlay.",
        ),
        Binding(
            "x", "toggle_axis", "Epochs/steps", tooltip="Plot against epochs or training steps."
        ),
        Binding("s", "cycle_smoothing", "Smoothing", tooltip="Step loss: EMA, moving mean or raw."),
        Binding(
            "o",
            "cycle_sort",
            "Sort",
            tooltip="Sort the runs by date, name, preset, status, accuracy.",
            show=False,
        ),
        Binding("k", "stop", "Stop", tooltip="Ask the run to checkpoint and stop."),
        Binding(
            "r",
            "resume",
            "Resume",
            tooltip="Continue a stopped, failed or died run from its checkpoint.",
        ),
        Binding(
            "v", "variant", "Variant", tooltip="Open Train prefilled with this run's settings."
        ),
        Binding(
            "a",
            "twin",
            "Aug twin",
            tooltip="Launch this run again with augmentation flipped on/off.",
        ),
        Binding("d,delete", "delete", "Delete", tooltip="Delete the run folder (asks first)."),
        Binding(
            "e", "export", "Export", tooltip="Write CSV + PNG of the marked (or current) runs."
        ),
        Binding("m", "message", "Why?", tooltip="The failure message, traceback and worker.log."),
    ]
    """Run control keys are greyed out when they do nothing for the current run."""

    class RunsRefreshed(Message):
        """Sent when the tail thread saw new events, a state change, or runs come and go."""

        def __init__(self, runs: tuple[RunSnapshot, ...]) -> None:
            super().__init__()
            self.runs = runs

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, MonitorScreen.RunsRefreshed)

    def __init__(self) -> None:
        super().__init__()
        self.runs: dict[str, RunSnapshot] = {}
        self.order: tuple[str, ...] = ()
        self.selected: set[str] = set()
        self.x_axis: XAxis = "epoch"
        self.smoothing: Smoothing = "ema"
        self.focus_id: str | None = None
        self.names: dict[str, str] = {}  # run id → display name, unique in the folder
        self._to_mark: set[str] = set()  # runs to mark once focus_id shows up
        self._plot_new = False  # focus_id is a new run: plot it beside the marked runs
        self._saved: Remembered | None = None  # None until the remembered view is restored
        self._wake = threading.Event()
        self._reported: set[str] = set()
        self._texts: dict[str, str] = {}  # last text put in each Static, by selector
        self._result_rows: list[list[str]] | None = None  # None: columns not made yet

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="monitor-body"):
            yield Static(id="monitor-notice")
            yield RunsTable(id="runs")
            yield Static(id="monitor-state")
            with Horizontal(id="plots"):
                yield CurvePlot("accuracy", "epoch", "accuracy", id="acc-plot")
                yield CurvePlot("loss", "epoch", "loss", id="loss-plot")
            yield CurvePlot("step loss", "epoch", "loss", id="step-plot")
            with Horizontal(id="results-row"):
                yield DataTable(id="results", cursor_type="none", zebra_stripes=True)
                yield Static(id="details")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#monitor-notice", Static).display = False
        self.update_state_line()
        self.set_focus(self.query_one(RunsTable))  # before the next key is read
        remembered = recall(self.runs_dir)
        self.selected = set(remembered.marked)
        self.focus_id = self.focus_id or remembered.current
        self.follow_runs()

    def on_unmount(self) -> None:
        self._wake.set()

    @property
    def runs_dir(self) -> Path:
        return self.app.config.runs_dir

    @work(thread=True, exclusive=True, group="tail")
    def follow_runs(self) -> None:
        """Poll the runs folder off the UI thread; post snapshots only when something changed."""
        worker = get_current_worker()
        watcher = RunsWatcher(self.runs_dir)
        posted, pending = float("-inf"), None
        while not worker.is_cancelled:
            runs = watcher.poll()
            if runs is not None:
                pending = runs
            # while long logs load, read on soon (leaving the UI thread room to answer keys)
            # but redraw the table at most every LOADING_REDRAW_SECONDS
            if pending is not None and (
                not watcher.loading or time.monotonic() - posted >= LOADING_REDRAW_SECONDS
            ):
                self.post_message(self.RunsRefreshed(pending))
                pending, posted = None, time.monotonic()
            self._wake.wait(LOADING_PAUSE_SECONDS if watcher.loading else POLL_SECONDS)
            self._wake.clear()

    def wake(self) -> None:
        """Look at the runs folder now rather than at the next poll."""
        self._wake.set()

    def on_monitor_screen_runs_refreshed(self, message: RunsRefreshed) -> None:
        self.runs = {run.id: run for run in message.runs}
        self.order = tuple(run.id for run in message.runs)
        self.names = display_names(self.order)
        self.selected &= set(self.runs)
        for run in message.runs:
            if run.state == "failed" and run.id not in self._reported:
                self._reported.add(run.id)
                self.notify(
                    f"{self.name_of(run.id)} failed — press m on it for the message.",
                    severity="error",
                )
        if not self.apply_focus():
            self.refresh_table()
            if self._saved is None and not self._plot_new:
                self.focus_id = None  # the remembered run is gone
        if self._saved is None:
            self._saved = Remembered()  # restored: from now on, changes are remembered
        self.redraw()

    def apply_focus(self) -> bool:
        """Put the cursor on `focus_id` and mark what comes with it, once the run is known;
        True when done (the table is then up to date)."""
        if self.focus_id not in self.runs:
            return False
        self.selected |= self._to_mark & set(self.runs)
        if self._plot_new and self.selected:
            self.selected.add(self.focus_id)
        self.refresh_table()
        table = self.query_one(RunsTable)
        ids = [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]
        table.move_cursor(row=ids.index(self.focus_id), animate=False)
        self.focus_id, self._plot_new = None, False
        return True

    def name_of(self, run_id: str) -> str:
        """The run's display name (unique among the folder's runs)."""
        return self.names.get(run_id) or display_name(run_id)

    def on_show_run(self, message: ShowRun) -> None:
        message.stop()
        self.show_run(message.run_id, message.mark)

    def show_run(self, run_id: str, mark: tuple[str, ...] = ()) -> None:
        """Put the cursor on this new run (and mark `mark` for comparison) as soon as the tail
        thread has seen it; when runs are marked, it is marked too, so it is plotted beside them."""
        self._to_mark = set(mark)
        self._plot_new = True
        self.focus_id = run_id
        if self._saved is not None and self.apply_focus():  # already seen: at once
            self.redraw()
        else:
            self.wake()

    def refresh_table(self) -> None:
        rows = [
            run_row(self.runs[rid], rid in self.selected, name=self.name_of(rid))
            for rid in self.order
        ]
        self.query_one(RunsTable).show(rows)

    @property
    def current(self) -> RunSnapshot | None:
        """The run under the table's cursor."""
        tables = self.query(RunsTable)
        run_id = tables.first().current_id if tables else None
        return self.runs.get(run_id) if run_id else None

    def plotted(self) -> list[RunSnapshot]:
        """The marked runs oldest first (a run keeps its colour whatever the sort or new runs),
        else the run under the cursor."""
        marked = [self.runs[rid] for rid in sorted(self.selected) if rid in self.runs]
        if marked:
            return marked
        return [self.current] if self.current else []

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "runs":
            self.redraw()

    def redraw(self) -> None:
        """Refresh everything that depends on the runs, the cursor or the marks."""
        self.redraw_plots()
        runs = self.plotted()
        results = self.query_one("#results", DataTable)
        rows = [result_row(run, self.name_of(run.id)).cells() for run in runs]
        if rows != self._result_rows:
            self._result_rows = rows
            results.clear(columns=True)  # explicit widths: a header never lags behind its cells
            for index, header in enumerate(RESULT_HEADERS):
                results.add_column(
                    header, width=max([len(header), *(len(row[index]) for row in rows)])
                )
            for row in rows:
                results.add_row(*row)
        current = self.current
        self.set_text(
            "#details",
            details_text(current)
            if current
            else f"No runs in {self.runs_dir} yet: press 3 to train.",
        )
        text = trouble(current, self.name_of(current.id)) if current else None
        self.query_one("#monitor-notice", Static).display = text is not None
        self.set_text("#monitor-notice", text or "")
        self.refresh_bindings()
        self.remember_view()

    def remember_view(self) -> None:
        """Save the marks and the current run for the next time the app opens this folder."""
        if self._saved is None:
            return
        current = self.current
        view = Remembered(frozenset(self.selected), current.id if current else None)
        if view != self._saved:
            self._saved = view
            remember(self.runs_dir, view)

    def redraw_plots(self, now: bool = False) -> None:
        """Hand the plots how to get fresh lines; their build threads compute and draw them, at
        once when `now` (after a key), else at their capped rate."""
        runs, axis, mode, names = self.plotted(), self.x_axis, self.smoothing, dict(self.names)
        xlabel = "epoch" if axis == "epoch" else "training step"
        for kind in ("acc", "loss"):
            self.query_one(f"#{kind}-plot", CurvePlot).set_source(
                lambda kind=kind: metric_lines(runs, kind, axis, names), xlabel=xlabel, now=now
            )
        step_plot = self.query_one("#step-plot", CurvePlot)
        step_plot.plot_title = f"step loss ({SMOOTHING_TITLES[mode]})"
        step_plot.set_source(lambda: step_lines(runs, axis, mode, names), xlabel=xlabel, now=now)
        self.update_state_line()

    def set_text(self, selector: str, text: str, layout: bool = True) -> None:
        """Update a Static only when its text changes (an update costs a layout pass unless the
        Static has a fixed size: then pass `layout=False`)."""
        if self._texts.get(selector) != text:
            self._texts[selector] = text
            self.query_one(selector, Static).update(text, layout=layout)

    def update_state_line(self) -> None:
        compared = (
            f"{len(self.selected)} marked for comparison"
            if self.selected
            else "space marks runs to compare"
        )
        self.set_text(
            "#monitor-state",
            f"x axis [b]{self.x_axis}s[/b] (x) · step loss [b]{SMOOTHING_TITLES[self.smoothing]}[/b] (s) · "
            f"sorted by [b]{self.query_one(RunsTable).sort_key}[/b] (o) · {compared} · {self.runs_dir}",
            layout=False,  # one row, cut with …: a key's feedback costs no layout pass
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        run = self.current
        if action in (
            "toggle_select",
            "variant",
            "twin",
            "export",
            "delete",
            "stop",
            "resume",
            "message",
        ):
            if run is None:
                return None
        if action == "stop":
            return True if run.state in LIVE_STATES else None
        if action == "resume":
            return True  # a finished or live run gets a dialog saying why not
        if action == "delete":
            return True if run.state not in LIVE_STATES else None
        if action == "message":
            return True if run.state in ("failed", "died", "stalled") else None
        if action == "select_sweep":
            return True if run is not None and run.config.get("sweep") else None
        return True

    def action_select_sweep(self) -> None:
        run = self.current
        sweep = run.config.get("sweep") if run else None
        if sweep:
            self.selected = {
                rid for rid, other in self.runs.items() if other.config.get("sweep") == sweep
            }
            self.refresh_table()
            self.redraw()

    def action_toggle_select(self) -> None:
        run = self.current
        if run:
            self.selected ^= {run.id}
            self.refresh_table()
            self.redraw()

    def action_toggle_axis(self) -> None:
        self.x_axis = "step" if self.x_axis == "epoch" else "epoch"
        self.redraw_plots(now=True)

    def action_cycle_smoothing(self) -> None:
        self.smoothing = SMOOTHINGS[(SMOOTHINGS.index(self.smoothing) + 1) % len(SMOOTHINGS)]
        self.redraw_plots(now=True)

    def action_cycle_sort(self) -> None:
        table = self.query_one(RunsTable)
        table.sort_key = SORT_KEYS[(SORT_KEYS.index(table.sort_key) + 1) % len(SORT_KEYS)]
        self.refresh_table()
        self.update_state_line()
