"""Monitor layout and drawing: legends under plots, builds off the UI thread, narrow terminals, themes."""

from __future__ import annotations

import threading

from tests.functional.monitor.test_monitor import cursor_to, monitor_app, wait_for
from tests.helpers.runs import write_run
from tui.widgets.curves import PALETTES, CurvePlot
from tui.widgets.runs_table import RunsTable


def plot_rows(plot: CurvePlot) -> list[str]:
    return ["".join(segment.text for segment in strip) for strip in plot._strips]


def plot_colors(plot: CurvePlot) -> set[tuple[int, int, int]]:
    colors = set()
    for strip in plot._strips:
        for segment in strip:
            if segment.style and segment.style.color and segment.style.color.triplet:
                colors.add(tuple(segment.style.color.triplet))
    return colors


async def test_overlay_legend_sits_under_the_plot_and_builds_run_off_the_ui_thread(
    tmp_path, monkeypatch
):
    plain = write_run(tmp_path, "plain", "finished", epochs_done=3)
    augmented = write_run(
        tmp_path, "augmented", "finished", epochs_done=3, augment=["flip", "crop"]
    )
    threads = []
    picture = CurvePlot.picture

    def recording(self, key):
        threads.append(threading.current_thread() is threading.main_thread())
        return picture(self, key)

    monkeypatch.setattr(CurvePlot, "picture", recording)
    app = monitor_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 2)
        for run in (plain, augmented):
            cursor_to(screen, run.name)
            await pilot.press("space")
        acc = screen.query_one("#acc-plot", CurvePlot)

        def legend_row() -> str:
            rows = plot_rows(acc)
            return rows[-1] if rows else ""

        await wait_for(pilot, lambda: "■ plain" in legend_row() and "■ augmented" in legend_row())
        rows = plot_rows(acc)
        assert len(rows) == acc.size.height
        assert "■" not in "".join(rows[:-2]), "the legend must not be drawn over the curves"
        assert "⣿ train" in "".join(rows[-2:]) and "• test" in "".join(rows[-2:])
        await pilot.press("x")
        assert screen.x_axis == "step"
        await wait_for(
            pilot, lambda: acc._text_key is not None and acc._text_key[0] == acc._version
        )
        assert "training step" in "".join(plot_rows(acc))
    assert threads and not any(threads), "plot pictures must be built off the UI thread"


async def test_light_theme_draws_lines_in_the_deep_palette(tmp_path):
    write_run(tmp_path, "plain", "finished", epochs_done=3)
    app = monitor_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.theme = "textual-light"
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 1)
        acc = screen.query_one("#acc-plot", CurvePlot)
        light = {PALETTES["light"][name] for name in ("blue", "orange")}
        await wait_for(pilot, lambda: light <= plot_colors(acc))
        assert not plot_colors(acc) & {PALETTES["dark"][name] for name in ("blue", "orange")}


async def test_80_by_24_keeps_the_key_columns_and_120_shows_the_device(tmp_path):
    run = write_run(
        tmp_path, "resnet18-ft-aug", "finished", epochs_done=2, augment=["flip", "crop"]
    )
    for size, expected in (
        ((80, 24), {"name", "state", "epoch", "best_val", "best_test"}),
        ((120, 40), {"name", "state", "epoch", "best_val", "best_test", "device"}),
    ):
        app = monitor_app(tmp_path)
        async with app.run_test(size=size) as pilot:
            screen = app.screen
            await wait_for(pilot, lambda screen=screen: len(screen.runs) == 1)
            await pilot.pause()
            table = screen.query_one(RunsTable)
            fields = {column.key.value for column in table.columns.values()}
            assert expected <= fields
            widths = sum(column.get_render_width(table) for column in table.columns.values())
            assert widths <= table.size.width, f"columns overflow at {size}"
            assert table.get_row_index(run.name) == 0
            results = screen.query_one("#results")
            columns = list(results.columns.values())
            labels = [str(column.label) for column in columns]
            through_test = columns[: labels.index("test acc") + 1]
            assert (
                sum(column.get_render_width(results) for column in through_test)
                <= results.size.width
            )
            if size == (80, 24):  # Tab brings the report table into view, shift+Tab goes back
                await pilot.press("tab")
                await pilot.pause()
                body = screen.query_one("#monitor-body")
                assert app.focused is results and body.scroll_y > 0
                await pilot.press("shift+tab")
                assert app.focused is table


async def test_a_run_keeps_its_colour_when_the_table_is_resorted(tmp_path):
    runs = [
        write_run(tmp_path, name, "finished", epochs_done=n)
        for name, n in (("b-first", 2), ("a-second", 3))
    ]
    app = monitor_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 2)
        for run in runs:
            cursor_to(screen, run.name)
            await pilot.press("space")

        def colours() -> dict[str, str]:
            return {
                line.group: line.color for line in screen.query_one("#step-plot", CurvePlot).lines
            }

        before = colours()
        assert len(set(before.values())) == 2
        for _ in range(2):  # newest first → by name → by preset (then by id): the table order flips
            await pilot.press("o")
            screen.redraw()
            assert colours() == before


async def test_aug_twin_is_launched_focused_and_overlaid_with_its_original(tmp_path, monkeypatch):
    import json

    import core.cluster.launch
    from core.runs.store import create_run

    def fake_launch(runs_dir, config, launcher, name, slurm=None):
        return create_run(runs_dir, config.to_dict(), name=name), "nowhere"

    monkeypatch.setattr(core.cluster.launch, "launch_run", fake_launch)
    plain = write_run(tmp_path, "lenet5", "finished", epochs_done=2)
    app = monitor_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 1)
        await pilot.press("a", "y")
        await wait_for(pilot, lambda: len(screen.selected) == 2)
        twin = next(rid for rid in screen.runs if rid != plain.name)
        assert screen.selected == {plain.name, twin}
        assert screen.current.id == twin and twin.endswith("lenet5-aug")
        assert json.loads((tmp_path / twin / "config.json").read_text())["augment"] == [
            "flip",
            "crop",
        ]
