"""A booby-trapped best.pt / last.pt in a shared runs folder: every reader refuses it, with a
message that says why and what to do, and the code in it never runs (its marker file is never
created). A run the user trusts is converted by `cnn-tui runs trust` and then opens normally."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import torch
from textual.widgets import Select

from core.models.zoo import build_model
from core.training import checkpoint
from screens.monitor.dialogs import TextScreen
from tests.helpers.runs import wait_for, write_run
from tests.helpers.unsafe import plant_checkpoints
from tui.app import make_app
from tui.cli import main
from tui.config import AppConfig

REFUSAL = "was not opened"


@pytest.fixture
def trapped(tmp_path):
    """(runs_dir, run_dir, marker): a died lenet5 run whose checkpoints would create marker."""
    runs_dir, marker = tmp_path / "runs", tmp_path / "PWNED"
    run_dir = write_run(runs_dir, "trap", "died")
    plant_checkpoints(run_dir, marker)
    return runs_dir, run_dir, marker


def test_explain_cli_refuses_it(trapped, capsys):
    runs_dir, run_dir, marker = trapped
    code = main(["--runs-dir", str(runs_dir), "explain", "chelsea", "--model", run_dir.name])
    err = capsys.readouterr().err
    assert code == 2 and REFUSAL in err and f"cnn-tui runs trust {run_dir.name}" in err
    assert "Traceback" not in err and "weights_only" not in err
    assert not marker.exists()


def test_scratch_cli_refuses_it(trapped, capsys):
    runs_dir, run_dir, marker = trapped
    code = main(["--runs-dir", str(runs_dir), "scratch", "--run", run_dir.name, "--samples", "2"])
    assert code == 2 and REFUSAL in capsys.readouterr().err
    assert not marker.exists()


def test_runs_resume_refuses_before_a_worker_starts(trapped, capsys):
    runs_dir, run_dir, marker = trapped
    launch = (run_dir / "launch.json").read_text()
    for extra in ([], ["--foreground"]):
        code = main(["runs", "resume", run_dir.name, "--runs-dir", str(runs_dir), *extra])
        err = capsys.readouterr().err
        assert code == 2 and REFUSAL in err and "best.pt" in err
    assert (run_dir / "launch.json").read_text() == launch, "no worker was launched"
    assert not marker.exists()


def test_runs_show_names_the_refused_files(trapped, capsys):
    runs_dir, run_dir, marker = trapped
    assert main(["runs", "show", run_dir.name, "--runs-dir", str(runs_dir), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)["checkpoints"]
    assert set(report) == {"best.pt", "last.pt"}
    assert all(REFUSAL in verdict for verdict in report.values())
    assert main(["runs", "show", run_dir.name, "--runs-dir", str(runs_dir)]) == 0
    out = capsys.readouterr().out
    assert "checkpoints/best.pt refused" in out and "checkpoints/last.pt refused" in out
    assert not marker.exists()


async def test_explain_screen_refuses_it(trapped):
    runs_dir, run_dir, marker = trapped
    app = make_app(AppConfig(start="explain", runs_dir=runs_dir))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#model", Select).value = str(run_dir)
        status = app.screen.query_one("#explain-status")
        await pilot.press("f5")
        await wait_for(pilot, lambda: REFUSAL in str(status.render()), timeout=60)
        assert not app.screen.results
    assert not marker.exists()


async def test_scratch_lab_refuses_it(trapped):
    from textual.widgets import Static

    from screens.scratch_lab.screen import ScratchLabScreen  # noqa: F401  (the workspace)

    runs_dir, run_dir, marker = trapped
    app = make_app(AppConfig(start="scratch_lab", runs_dir=runs_dir))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        screen = app.screen
        screen.query_one("#scratch-source", Select).value = run_dir.name
        await pilot.press("r")
        status = screen.query_one("#scratch-status", Static)
        await wait_for(pilot, lambda: REFUSAL in str(status.render()), timeout=60)
    assert not marker.exists()


async def test_monitor_resume_refuses_it(trapped):
    runs_dir, run_dir, marker = trapped
    launch = (run_dir / "launch.json").read_text()
    app = make_app(AppConfig(start="monitor", runs_dir=runs_dir))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 1)
        await pilot.press("r")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, TextScreen), timeout=30)
        assert REFUSAL in app.screen.text and f"runs trust {run_dir.name}" in app.screen.text
    assert (run_dir / "launch.json").read_text() == launch, "no worker was launched"
    assert not marker.exists()


def old_format_checkpoint(run_dir):
    """A checkpoint as older versions wrote it: numpy's RNG state as a pickled numpy object."""
    model = build_model("lenet5", num_classes=10, pretrained=False)
    payload = {
        "model": model.state_dict(),
        "classes": [f"class{i}" for i in range(10)],
        "rng": {
            "torch": torch.get_rng_state(),
            "numpy": np.random.get_state(),
            "python": random.getstate(),
        },
        "best": np.float64(0.5),
    }
    (run_dir / "checkpoints").mkdir(parents=True, exist_ok=True)
    torch.save(payload, run_dir / "checkpoints" / "last.pt")
    return model


def test_runs_trust_converts_an_old_checkpoint_the_user_vouches_for(tmp_path, capsys):
    runs_dir = tmp_path / "runs"
    run_dir = write_run(runs_dir, "old", "died")
    model = old_format_checkpoint(run_dir)
    path = run_dir / "checkpoints" / "last.pt"
    with pytest.raises(checkpoint.UnsafeCheckpointError, match="runs trust"):
        checkpoint.load(path)
    assert main(["runs", "trust", "old", "--runs-dir", str(runs_dir)]) == 0
    assert "converted to the safe format" in capsys.readouterr().out
    payload = torch.load(path, weights_only=True)  # now opens the safe way
    for name, tensor in model.state_dict().items():
        torch.testing.assert_close(payload["model"][name], tensor, rtol=0, atol=0)
    assert payload["best"] == 0.5 and isinstance(payload["best"], float)
    np.random.seed(3)
    random.seed(3)
    expected = (np.random.rand(), random.random())
    np.random.seed(3)
    random.seed(3)
    state = checkpoint.rng_state()
    np.random.rand(5), random.random()
    checkpoint.set_rng_state(state)
    assert (np.random.rand(), random.random()) == expected
    assert main(["runs", "trust", "old", "--runs-dir", str(runs_dir)]) == 0
    assert "already in the safe format" in capsys.readouterr().out


def test_converted_old_rng_state_continues_the_same_streams(tmp_path):
    run_dir = tmp_path / "run"
    np.random.seed(11)
    random.seed(11)
    old_format_checkpoint(run_dir)  # saves the generators' state at this point
    expected = (np.random.rand(3).tolist(), [random.random() for _ in range(3)])
    path = run_dir / "checkpoints" / "last.pt"
    assert checkpoint.convert_trusted(path)
    np.random.seed(0)
    random.seed(0)
    checkpoint.set_rng_state(checkpoint.load(path)["rng"])
    assert (np.random.rand(3).tolist(), [random.random() for _ in range(3)]) == expected
