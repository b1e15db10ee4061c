"""Train screen: preset defaults, validation as you type, variants, and a real launch."""

from __future__ import annotations

from textual.widgets import Input, Select

from screens.train.screen import TrainScreen
from tests.helpers.runs import wait_for, write_run
from tui.app import make_app
from tui.config import AppConfig


def text(screen, selector):
    return str(screen.query_one(selector).render())


async def test_preset_defaults_and_dataset_explained(tmp_path):
    app = make_app(AppConfig(start="train", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, TrainScreen)
        assert "C1" in text(screen, "#preset-info")
        assert "Shapes-10 (synthetic" in text(screen, "#dataset-info")
        assert screen.query_one("#f-dataset", Select).value == "shapes"
        assert screen.query_one("#f-batch_size", Input).value == "16"
        screen.query_one("#f-preset", Select).value = "vgg-2x2"
        await wait_for(pilot, lambda: screen.query_one("#f-epochs", Input).value == "25")
        assert screen.query_one("#f-betas", Input).value == "0.9, 0.95"
        screen.query_one("#f-optimizer", Select).value = "sgd"
        await wait_for(pilot, lambda: not screen.query_one("#row-betas").display)
        assert screen.query_one("#row-momentum").display


async def test_bad_values_are_explained_inline_and_block_launch(tmp_path):
    app = make_app(AppConfig(start="train", runs_dir=tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        lr = screen.query_one("#f-lr", Input)
        lr.focus()
        lr.value = ""
        await pilot.press(*"abc")
        await wait_for(pilot, lambda: screen.query_one("#err-lr").display)
        assert "learning rate: expected a number" in text(screen, "#err-lr")
        assert screen.check_action("launch", ()) is None
        lr.value = "-1"
        await wait_for(pilot, lambda: not screen.query_one("#err-lr").display)
        assert "learning rate must be a positive number" in text(screen, "#form-error")
        screen.query_one("#f-early_stop", Input).value = "3"
        lr.value = "0.01"
        await wait_for(pilot, lambda: "validation" in text(screen, "#form-error"))
        assert "validation" in text(screen, "#form-error")
        screen.query_one("#f-val_split", Input).value = "0.1"
        await wait_for(pilot, lambda: screen.check_action("launch", ()) is True)
        assert not screen.query_one("#launch").disabled


async def test_variant_from_the_monitor_prefills_the_form(tmp_path):
    run = write_run(tmp_path, "base", "finished", lr=0.005, augment=["flip"])
    app = make_app(AppConfig(start="monitor", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        monitor = app.screen
        await wait_for(pilot, lambda: len(monitor.runs) == 1)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, TrainScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.query_one("#f-lr", Input).value == "0.005")
        assert screen.query_one("#f-flip").value is True
        assert screen.query_one("#f-crop").value is False
        assert run.name in text(screen, "#variant-banner")


async def test_freeze_bn_toggle_shows_for_resnet_transfer_and_reaches_the_config(tmp_path):
    from textual.widgets import Checkbox

    app = make_app(AppConfig(start="train", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert not screen.query_one("#row-freeze_bn").display
        screen.query_one("#f-preset", Select).value = "resnet18-transfer"
        await wait_for(pilot, lambda: screen.query_one("#row-freeze_bn").display)
        box = screen.query_one("#f-freeze_bn", Checkbox)
        assert box.value is False  # the exercise's behaviour by default
        box.focus()
        await pilot.press("space")
        await wait_for(pilot, lambda: screen.parsed.config and screen.parsed.config.freeze_bn)
        assert screen.parsed.config.to_dict()["freeze_bn"] is True


async def test_what_is_typed_on_arrival_survives_the_preset_selects_first_report(tmp_path):
    """The preset drop-down reports its initial value a moment after the screen mounts; on a
    loaded terminal the first keys are read before that report arrives. It must not reload the
    preset over what was typed (epochs `3` became `103`: End and ctrl+u undone, 3 appended)."""
    app = make_app(AppConfig(runs_dir=tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        screen = app.screen
        assert isinstance(screen, TrainScreen)
        epochs = screen.query_one("#f-epochs", Input)
        assert app.focused is epochs and epochs.value == "10"
        await pilot.press("end", "ctrl+u", "3")
        preset = screen.query_one("#f-preset", Select)
        preset.post_message(Select.Changed(preset, preset.value))  # the late first report
        await pilot.pause(0.3)
        assert epochs.value == "3"
        preset.value = "vgg-2x2"  # a preset the user picks still loads its defaults
        await wait_for(pilot, lambda: epochs.value == "25")
