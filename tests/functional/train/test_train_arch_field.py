"""Train form's Architecture field: a typed SPEC checked as you type (parameters counted by
torch), a bad one explained beside the field, and a variant of a Python-file run that copies the
run's model.py into the new run."""

from __future__ import annotations

import asyncio
import json

import pytest
from textual.widgets import Input

from screens.train.screen import TrainScreen
from tests.helpers.keys import type_at_full_speed
from tests.helpers.runs import wait_for, write_run
from tui.app import make_app
from tui.config import AppConfig

SPEC = "Conv2d(3, 4, 3), ReLU(), Flatten(), Linear(3600, 10)"

NET = """import torch.nn as nn


class Tiny(nn.Module):
    def __init__(self, width=4):
        super().__init__()
        self.conv = nn.Conv2d(3, width, 3, padding=1)
        self.head = nn.Linear(width, 10)

    def forward(self, x):
        return self.head(self.conv(x).relu().mean((2, 3)))
"""


def text(screen, selector):
    return str(screen.query_one(selector).render())


async def test_typed_spec_is_checked_beside_the_field(tmp_path):
    from torch import nn

    expected = sum(
        p.numel()
        for p in nn.Sequential(
            nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(3600, 10)
        ).parameters()
    )
    app = make_app(AppConfig(start="train", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        screen.query_one("#f-arch", Input).focus()
        await type_at_full_speed(pilot, SPEC)
        await wait_for(pilot, lambda: "parameters" in text(screen, "#err-arch"))
        assert screen.query_one("#f-arch", Input).value == SPEC, "no key lost"
        assert f"{expected:,} parameters" in text(screen, "#err-arch")
        assert screen.check_action("launch", ()) is True
        config = screen.parsed.config
        assert config.arch == SPEC and config.model_name == "SPEC"
        await pilot.press("backspace", "backspace", "backspace", "7", ")")  # Linear(3600, 7)
        await wait_for(pilot, lambda: "ends with 7 outputs" in text(screen, "#err-arch"))
        assert "the dataset has 10 classes" in text(screen, "#err-arch")
        assert screen.check_action("launch", ()) is None
        screen.query_one("#f-arch", Input).value = "Conv2d(3, 4, 3), Residual("
        await wait_for(pilot, lambda: "architecture:" in text(screen, "#err-arch"))
        screen.query_one("#f-arch", Input).value = ""
        await wait_for(pilot, lambda: not screen.query_one("#err-arch").display)
        assert screen.parsed.config.arch is None and not screen.parsed.config.custom


@pytest.mark.slow
async def test_variant_of_a_python_run_copies_its_model(tmp_path):
    from core.cluster.launch import launch_run
    from core.runs.events import read_events

    runs = tmp_path / "runs"
    old = write_run(runs, "mine", "finished", arch_file="model.py", arch_name="net.py")
    (old / "model.py").write_text(NET)
    app = make_app(AppConfig(start="monitor", runs_dir=runs))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.screen.runs) == 1)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, TrainScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.query_one("#f-arch", Input).value != "")
        assert screen.query_one("#f-arch", Input).value == str(old / "model.py")
        await wait_for(pilot, lambda: screen.parsed.config is not None)
        assert "Python file" in text(screen, "#err-arch")
        config = screen.parsed.config.with_changes(
            epochs=1, train_size=64, test_size=32, batch_size=32, device="cpu", val_split=0.0
        )
    run_dir, _ = launch_run(runs, config, "local", "variant")
    assert (run_dir / "model.py").read_text() == NET
    (old / "model.py").write_text("raise SystemExit('edited after launch')\n")  # not used now
    recorded = json.loads((run_dir / "config.json").read_text())
    assert recorded["arch_file"] == "model.py" and recorded["arch_sha256"]
    for _ in range(600):
        ends = [e for e in read_events(run_dir) if e["kind"] == "end"]
        if ends:
            break
        await asyncio.sleep(0.1)
    assert ends and ends[0]["status"] == "finished", ends


async def test_calculators_send_the_typed_spec_to_train(tmp_path):
    from textual.widgets import TextArea

    from core.arch.table import layer_table

    app = make_app(AppConfig(start="calculators", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        calculators = app.screen
        await pilot.press("f3")
        calculators.query_one("#arch-input", Input).value = "3,32,32"
        calculators.query_one("#arch-spec", TextArea).text = SPEC.replace(", ", ",\n")
        await wait_for(pilot, lambda: calculators.check_action("send_to_train", ()) is True)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, TrainScreen))
        screen = app.screen
        await wait_for(pilot, lambda: "parameters" in text(screen, "#err-arch"))
        assert screen.query_one("#f-arch", Input).value == SPEC
        params = layer_table(SPEC, (3, 32, 32)).total_params
        assert f"{params:,} parameters" in text(screen, "#err-arch")
        assert screen.parsed.config.arch == SPEC


async def test_a_python_file_is_checked_in_the_background_while_keys_keep_landing(tmp_path):
    flag = tmp_path / "go"  # the student's __init__ waits for it: the check is stuck meanwhile
    wait = f"import pathlib, time\nwhile not pathlib.Path({str(flag)!r}).exists(): time.sleep(0.02)"
    slow = tmp_path / "slow.py"
    slow.write_text(NET.replace("import torch.nn as nn\n", f"import torch.nn as nn\n{wait}\n", 1))
    broken = tmp_path / "broken.py"
    broken.write_text(NET.replace("return self.head", "raise KeyError('oops')\n        return"))
    app = make_app(AppConfig(start="train", runs_dir=tmp_path))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            screen.query_one("#f-arch", Input).value = str(slow)
            await wait_for(
                pilot, lambda: "checking it in the background" in text(screen, "#err-arch")
            )
            epochs = screen.query_one("#f-epochs", Input)
            epochs.focus()
            await pilot.press("end", *["backspace"] * len(epochs.value), "7")
            assert epochs.value == "7"
            await wait_for(pilot, lambda: screen.parsed.config and screen.parsed.config.epochs == 7)
            assert "checking" in text(screen, "#err-arch")
            flag.touch()
            await wait_for(pilot, lambda: "✓" in text(screen, "#err-arch"), timeout=30)
            from core.models.pyfile import instantiate

            expected = sum(p.numel() for p in instantiate(slow, None, {}).parameters())
            assert f"slow.py (Python file): {expected:,} parameters" in text(screen, "#err-arch")
            assert screen.check_action("launch", ()) is True

            screen.query_one("#f-arch", Input).value = str(broken)
            await wait_for(pilot, lambda: "line 11" in text(screen, "#err-arch"), timeout=30)
            assert "broken.py" in text(screen, "#err-arch")
            assert screen.check_action("launch", ()) is None
    finally:
        flag.touch()
