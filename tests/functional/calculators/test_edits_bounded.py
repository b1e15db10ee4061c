"""A burst of edits in the Calculators (a fast typist, a paste) starts one solve and one layer
table per pause in typing, never one thread per key, and leaves no thread running."""

from __future__ import annotations

import threading

from textual.widgets import Input, TextArea

from screens.calculators import architecture, layer
from tests.helpers.keys import settle_workers, type_at_full_speed
from tui.app import make_app
from tui.config import AppConfig

BURST = 40  # keys typed at once


def _workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "cnn-tui-worker" and t.is_alive()]


async def solved_once(pilot, calls, name, before, timeout=5.0) -> None:
    """Wait for the computation the pause after a burst starts (a loaded machine fires the
    pause's timer late), and for its worker to end."""
    for _ in range(int(timeout / 0.05)):
        if calls[name] > before:
            break
        await pilot.pause(0.05)
    await settle_workers(pilot)


async def test_a_burst_of_edits_solves_and_tabulates_once_per_pause(tmp_path, monkeypatch):
    calls = {"solve": 0, "table": 0}

    def counted(name, function):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(layer, "solve", counted("solve", layer.solve))
    monkeypatch.setattr(architecture, "layer_table", counted("table", architecture.layer_table))
    app = make_app(AppConfig(start="calculators", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_workers(pilot)
        field = app.screen.query_one("#f-in_size", Input)
        field.value = ""
        field.focus()
        await settle_workers(pilot)
        solves = calls["solve"]
        await type_at_full_speed(pilot, ["1", "backspace"] * (BURST // 2) + ["3", "2"], settle=0.2)
        assert field.value == "32"  # every key landed, in order
        await solved_once(pilot, calls, "solve", solves)  # once the keys paused
        assert 1 <= calls["solve"] - solves <= 3, calls  # not one per key
        assert not _workers()

        await pilot.press("f3")
        await settle_workers(pilot)
        editor = app.screen.query_one("#arch-spec", TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)
        tables = calls["table"]
        await type_at_full_speed(
            pilot, [",", "space", *"ReLU()"] + ["backspace"] * 8 + ["x"], settle=0.2
        )
        assert editor.text.endswith("x")
        await solved_once(pilot, calls, "table", tables)
        assert 1 <= calls["table"] - tables <= 3, calls
        assert not _workers()
