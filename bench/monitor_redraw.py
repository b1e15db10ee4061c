"""Monitor redraw cost at 120×40 with 3 overlaid runs of 10k steps each (prints milliseconds).

Run: `.venv/bin/python bench/monitor_redraw.py`. Times the screen's data step (series,
smoothing, decimation hand-off), one plotext build of each plot, and a replotting key press
(wall and CPU time: on a busy machine the CPU time is the steadier figure) with the plots built
in a thread as the app does, side by side with the former build on the UI thread, then the same
plot build without min/max decimation for comparison.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.runs.store import create_run  # noqa: E402
from tests.helpers.runs import append_events, canned_config  # noqa: E402

STEPS_PER_EPOCH = 500
EPOCHS = 20  # 20 × 500 = 10k logged steps per run
RUNS = 3
REPEATS = 20


def write_long_run(runs_dir: Path, index: int) -> None:
    run_dir = create_run(runs_dir, canned_config(epochs=EPOCHS), name=f"long{index}")
    events, seq = [{"seq": 0, "time": 0.0, "kind": "start", "device": "cpu"}], 1
    for epoch in range(1, EPOCHS + 1):
        for step in range(1, STEPS_PER_EPOCH + 1):
            g = (epoch - 1) * STEPS_PER_EPOCH + step
            loss = 2.3 * 0.9997**g + 0.1 * ((g * 7919 + index * 31) % 97) / 97
            events.append(
                {
                    "seq": seq,
                    "time": float(seq),
                    "kind": "step",
                    "epoch": epoch,
                    "step": step,
                    "steps_per_epoch": STEPS_PER_EPOCH,
                    "global_step": g,
                    "loss": loss,
                    "images_per_s": 5000.0,
                }
            )
            seq += 1
        events.append(
            {
                "seq": seq,
                "time": float(seq),
                "kind": "epoch",
                "epoch": epoch,
                "step": epoch * STEPS_PER_EPOCH,
                "train_loss": 2.0 / epoch,
                "train_acc": 1 - 0.7 / epoch,
                "test_loss": 2.1 / epoch,
                "test_acc": 1 - 0.75 / epoch,
                "seconds": 10.0,
            }
        )
        seq += 1
    events.append(
        {"seq": seq, "time": float(seq), "kind": "end", "status": "finished", "message": ""}
    )
    append_events(run_dir, events)


def ms(samples: list[float]) -> str:
    return f"median {1000 * statistics.median(samples):7.2f} ms   max {1000 * max(samples):7.2f} ms"


def on_ui_thread(plot, y: int):
    """The former render: a full plotext build on the UI thread at every repaint."""
    from textual.strip import Strip

    if y == 0:
        plot._strips = plot.picture(plot.wanted_key())
    return plot._strips[y] if y < len(plot._strips) else Strip.blank(plot.size.width)


async def key_times(
    monitor_view,
    pilot,
    screen,
    plots,
    threaded: bool = True,
) -> tuple[list[float], list[float], list[float]]:
    """Per replotting key `x`: UI-thread CPU until its frame is drawn, the latency of a key `o`
    pressed 20 ms later (what a user typing on feels), and wall time until all plots show it."""
    cpus, next_key, shown = [], [], []
    for _ in range(REPEATS):
        monitor_view._cache.clear()  # as when new events arrive: series and smoothing recomputed
        await pilot.pause(0.3)
        t0, c0 = time.perf_counter(), time.thread_time()
        await pilot.press("x")
        await pilot.pause(0.02)
        t1 = time.perf_counter()
        await pilot.press("o")
        next_key.append(time.perf_counter() - t1)
        while threaded and any(
            plot._text_key is None or plot._text_key[0] != plot._version for plot in plots
        ):
            await pilot.pause(0.005)
        shown.append(time.perf_counter() - t0)
        await pilot.pause(0.3)
        cpus.append(time.thread_time() - c0)
    return cpus, next_key, shown


async def main() -> None:
    from screens.monitor import view as monitor_view
    from screens.monitor.screen import MonitorScreen
    from tui.app import make_app
    from tui.config import AppConfig
    from tui.widgets import curves
    from tui.widgets.curves import CurvePlot
    from tui.widgets.runs_table import RunsTable

    runs_dir = Path(tempfile.mkdtemp(prefix="cnn-tui-bench-"))
    for index in range(RUNS):
        write_long_run(runs_dir, index)
    app = make_app(AppConfig(start="monitor", runs_dir=runs_dir))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MonitorScreen)
        while len(screen.runs) < RUNS:
            await pilot.pause(0.1)
        table = screen.query_one(RunsTable)
        for row in range(RUNS):
            table.move_cursor(row=row, animate=False)
            await pilot.press("space")
        plots = list(screen.query(CurvePlot))
        step_plot = screen.query_one("#step-plot", CurvePlot)
        points = sum(len(line.series) for line in step_plot.lines)
        print(
            f"{RUNS} runs × {EPOCHS * STEPS_PER_EPOCH} steps overlaid at 120×40 "
            f"({points} step-loss points before thinning)"
        )

        def build_all() -> None:
            for plot in plots:
                plot.picture(plot.wanted_key())

        data, ui, build = [], [], []
        for _ in range(REPEATS):
            monitor_view._cache.clear()
            t0 = time.perf_counter()
            screen.refresh_table()
            screen.redraw()
            ui.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            for plot in plots:
                _ = plot.lines  # series + smoothing, which the build threads compute
            data.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            build_all()
            build.append(time.perf_counter() - t0)
        drawn = sum(
            len(curves.decimate(line.series, step_plot.size.width - curves.AXES_WIDTH))
            for line in step_plot.lines
        )
        print(f"step-loss points drawn after min/max thinning: {drawn}")
        print(f"new events, UI thread (table, results):   {ms(ui)}")
        print(f"new events, lines (series, smoothing):    {ms(data)}")
        print(f"plot pictures, all 3 (in a thread):        {ms(build)}")

        now_cpu, now_next, now_shown = await key_times(monitor_view, pilot, screen, plots)
        threaded_render = CurvePlot.render_line
        CurvePlot.render_line = on_ui_thread
        old_cpu, old_next, _ = await key_times(monitor_view, pilot, screen, plots, threaded=False)
        CurvePlot.render_line = threaded_render
        print("key 'x' (replot), medians            build on UI thread   build in thread    ratio")
        for label, old, new in (
            ("UI-thread CPU per key", old_cpu, now_cpu),
            ("next key answered after", old_next, now_next),
        ):
            before, after = statistics.median(old), statistics.median(new)
            print(
                f"  {label:<34} {1000 * before:9.1f} ms {1000 * after:15.1f} ms {before / after:8.1f}×"
            )
        worst = (1000 * max(old_next), 1000 * max(now_next))
        print(f"  worst next-key latency:           {worst[0]:9.1f} ms {worst[1]:15.1f} ms")
        idle = []
        for _ in range(REPEATS):
            await pilot.pause(0.3)
            t0 = time.perf_counter()
            await pilot.press("o")
            idle.append(time.perf_counter() - t0)
        print(f"key 'o' answered after, nothing building:    {ms(idle)}")
        print(f"key 'x' until all 3 plots show it (thread):  {ms(now_shown)}")
        original = curves.decimate
        curves.decimate = lambda series, columns: series
        raw = []
        for _ in range(3):
            t0 = time.perf_counter()
            build_all()
            raw.append(time.perf_counter() - t0)
        curves.decimate = original
        print(f"same plots WITHOUT thinning:              {ms(raw)}")
        print(
            f"thinning speed-up of a redraw: {statistics.median(raw) / statistics.median(build):.1f}×"
        )


if __name__ == "__main__":
    asyncio.run(main())
