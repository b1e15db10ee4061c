"""Explain by keyboard alone: N channels typed at full speed, F5, typing on while it computes."""

from __future__ import annotations

from textual.widgets import Input, Select

from tests.functional.explain.test_explain import explain_app, wait_for
from tests.helpers.explain import make_run
from tests.helpers.keys import type_at_full_speed


async def test_channels_typed_f5_and_typing_on_keep_focus_and_every_key(tmp_path):
    run_dir = make_run(tmp_path / "runs", "lenet5", seed=3)
    app = explain_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#model", Select).value = str(run_dir)
        screen.query_one("#method", Select).value = "activations"
        await pilot.pause()
        channels = screen.query_one("#channels", Input)
        for _ in range(12):  # from the Explain button up the form, as a user tabs
            if app.focused is channels:
                break
            await pilot.press("shift+tab")
        assert app.focused is channels
        await type_at_full_speed(pilot, ["1", "f5", "2"])
        await wait_for(pilot, lambda: bool(screen.results))
        assert app.focused is channels  # F5 and the results leave focus where the user was
        assert channels.value == "12" and screen.query_one("#target", Input).value == ""
        first = screen.results[0]
        assert first.maps.shape[0] in (1, 12)  # the field's value when F5 was handled
        await type_at_full_speed(pilot, ["f5"])
        await wait_for(pilot, lambda: screen.results[0] is not first)
        assert app.focused is channels and channels.value == "12"
        assert screen.results[0].maps.shape[0] == 12  # D3: N channels set by keyboard
        assert screen.results[0].maps.shape[1:] == first.maps.shape[1:]
        # the same 12 left in the field for Grad-CAM: said beside the result, not silently ignored
        screen.query_one("#method", Select).value = "gradcam"
        await pilot.pause()
        second = screen.results[0]
        await type_at_full_speed(pilot, ["f5"])
        await wait_for(pilot, lambda: screen.results[0] is not second)
        await pilot.pause()
        assert screen.results[0].maps.shape[0] == 1  # one Grad-CAM map
        status = str(screen.query_one("#explain-status").render())
        assert "N channels (12) is for Activations" in status, status
        assert "not used by Grad-CAM" in status, status
