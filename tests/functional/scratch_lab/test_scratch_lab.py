"""The Scratch lab screen and `cnn-tui scratch`, driven like a student would."""

from __future__ import annotations

import io
import json
import sys

import pytest
import torch
from rich.console import Console
from textual.widgets import Input, Select, Static

from tests.helpers.scratch import write_run
from tui.app import make_app
from tui.cli import main
from tui.config import AppConfig

torch.set_num_threads(1)


async def wait_for_checks(app, pilot, rounds=400):
    screen = app.screen
    for _ in range(rounds):
        await pilot.pause(0.05)
        if not screen.running:
            return screen
    raise AssertionError("the checks did not finish")


def rendered(static: Static) -> str:
    """The text a Static shows, whether it holds a string or a rich renderable."""
    content = static.content
    if isinstance(content, str):
        return content
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


def body_text(screen, step_id):
    return rendered(screen.query_one(f"#body-{step_id}", Static))


async def test_lab_runs_all_checks_on_a_trained_run(tmp_path):
    write_run(tmp_path, "20260101-000000-lenet")
    app = make_app(AppConfig(start="scratch_lab", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        screen = app.screen
        select = screen.query_one("#scratch-source", Select)
        assert "20260101-000000-lenet" in [value for _, value in select._options]
        select.value = "20260101-000000-lenet"
        screen.query_one("#scratch-samples", Input).value = "6"
        screen.query_one("#scratch-repeats", Input).value = "2"
        await pilot.press("r")
        await wait_for_checks(app, pilot)
        status = rendered(screen.query_one("#scratch-status", Static))
        assert "20260101-000000-lenet" in status and "All checks done" in status
        assert "Linear(400, 128)" in body_text(screen, "linear")
        assert "Conv2d(3, 8, 5)" in body_text(screen, "conv")
        assert "first 6 test images" in body_text(screen, "network")
        assert "median of 2" in body_text(screen, "timing")
        assert not screen.query_one("#timing-progress").display


async def test_cancel_stops_after_the_current_step(tmp_path):
    app = make_app(AppConfig(start="scratch_lab", runs_dir=tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        screen = app.screen
        screen.query_one("#scratch-samples", Input).value = "4"
        screen.query_one("#scratch-repeats", Input).value = "100000"
        await pilot.press("r")
        assert screen.running and screen.check_action("run_checks", ()) is None
        for _ in range(400):
            await pilot.pause(0.05)
            if screen.pending_step == "timing":
                break
        await pilot.press("x")
        await wait_for_checks(app, pilot)
        assert "Cancelled" in rendered(screen.query_one("#scratch-status", Static))
        assert body_text(screen, "timing") == "not run"
        assert "Linear(400, 128)" in body_text(screen, "linear")


async def test_lab_rejects_a_bad_count_and_works_at_80x24(tmp_path):
    app = make_app(AppConfig(start="scratch_lab", runs_dir=tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        screen = app.screen
        assert app.focused is screen.query_one("#scratch-run")  # keyboard-ready at once
        screen.query_one("#scratch-samples", Input).value = "0"
        await pilot.press("r")
        await pilot.pause()
        status = screen.query_one("#scratch-status", Static)
        assert status.has_class("error") and "at least 1" in rendered(status)
        assert not screen.running
        assert body_text(screen, "linear") == "waiting"
        code = rendered(screen.query_one("#scratch-code-text", Static))
        assert code.count("def _forward_loop") == 2 and code.count("def _forward_vectorised") == 2
        assert "class ScratchConv2d" in code and "x.unfold(2, kh, sh)" in code
        await pilot.press("f1")
        await pilot.pause()
        assert "Scratch lab (exercise A5)" in app.screen.query_one("#help-markdown").source


async def test_lab_reports_a_user_error_inline(tmp_path, monkeypatch):
    app = make_app(AppConfig(start="scratch_lab", runs_dir=tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        screen = app.screen
        screen.query_one("#scratch-samples", Input).value = "999999"
        screen.query_one("#scratch-repeats", Input).value = "1"
        await pilot.press("r")
        await wait_for_checks(app, pilot)
        status = screen.query_one("#scratch-status", Static)
        assert status.has_class("error") and "test images" in rendered(status)
        assert body_text(screen, "linear") == "not run"


def test_cli_json_has_the_promised_keys(tmp_path, capsys):
    write_run(tmp_path, "20260101-000000-lenet")
    code = main(
        [
            "--runs-dir",
            str(tmp_path),
            "scratch",
            "--run",
            "20260101",
            "--samples",
            "5",
            "--repeats",
            "1",
            "--json",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    for key in (
        "linear_diff_before",
        "linear_diff_after",
        "conv_diff_before",
        "conv_diff_after",
        "accuracy_scratch",
        "accuracy_torch",
        "agreement",
        "time_ratio",
        "variants",
    ):
        assert key in data
    assert data["samples"] == 5 and data["agreement"] == 1.0
    assert set(data["variants"]) == {"loop", "vectorised"}
    assert data["linear_diff_after"] < 1e-5 < data["linear_diff_before"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["scratch", "--run", "missing"], "No run 'missing'"),
        (["scratch", "--samples", "0"], "at least 1"),
        (["scratch", "--repeats", "0"], "at least 1"),
    ],
)
def test_cli_bad_input_is_a_user_error(tmp_path, capsys, argv, message):
    assert main(["--runs-dir", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cnn-tui scratch: error:") and message in err
    assert "Traceback" not in err


def test_cli_rich_output_names_every_step(tmp_path):
    import subprocess

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tui.cli",
            "--runs-dir",
            str(tmp_path),
            "scratch",
            "--samples",
            "4",
            "--repeats",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for text in ("Linear(400, 128)", "Conv2d(3, 8, 5)", "Network on the first 4", "Inference time"):
        assert text in result.stdout
