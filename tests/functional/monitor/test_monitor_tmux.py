"""End to end in a real terminal (tmux): launch from Train, watch epochs arrive, quit, reopen."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux"),
]

EPOCHS = 3


class Terminal:
    """One tmux server of our own, 120×40, running cnn-tui."""

    def __init__(self, tmp_path: Path) -> None:
        self.sessions = 0
        self.socket = f"monitor-e2e-{os.getpid()}-0"
        # pytest-xdist exports COLUMNS=80/LINES=24 to its workers; a terminal app started with
        # them believes it has 80x24 whatever the pane's size, so they must not leak into tmux.
        inherited = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        self.env = {**inherited, "CNN_TUI_DATA": str(tmp_path / "data")}
        root = Path(__file__).resolve().parents[3]
        self.cli = f"cd {root} && exec {sys.executable} -m tui.cli"  # this tree's code

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            env=self.env,
            check=False,
        ).stdout

    def open(self, runs: Path, workspace: str) -> None:
        """Start cnn-tui in a fresh tmux server (a new socket: no race with the last one)."""
        self.sessions += 1
        self.socket = f"monitor-e2e-{os.getpid()}-{self.sessions}"
        self.tmux(
            "new-session",
            "-d",
            "-x",
            "120",
            "-y",
            "40",
            f"{self.cli} --runs-dir {runs} --open {workspace}",
        )

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.tmux("send-keys", *(["-l"] if literal else []), *keys)
        time.sleep(0.4)

    def wait_for(self, pattern: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        seen = ""
        while time.monotonic() < deadline:
            seen = self.screen()
            if re.search(pattern, seen):
                return seen
            time.sleep(0.3)
        raise AssertionError(f"{pattern!r} never appeared; last screen:\n{seen}")

    def close(self) -> None:
        self.tmux("kill-server")


@pytest.fixture
def terminal(tmp_path):
    term = Terminal(tmp_path)
    yield term
    term.close()


def test_launch_watch_quit_reopen(terminal, tmp_path):
    runs = tmp_path / "runs"
    terminal.open(runs, "train")
    terminal.wait_for(r"Launch \(ctrl\+l\)", 30)
    time.sleep(1)
    # Enough images that the first two epochs outlast the Monitor's refresh even on an idle
    # machine (the epoch column counts the epoch in progress), so the run is seen mid-way.
    for label, value in (
        ("training images", "4096"),
        ("test images", "128"),
        ("epochs", str(EPOCHS)),
        ("batch size", "64"),
    ):
        if label == "training images":  # the form opens on epochs, two fields below it
            terminal.keys("BTab")
            terminal.keys("BTab")
        else:
            terminal.keys("Tab")
        terminal.keys("C-a")
        terminal.keys("C-k")
        terminal.keys(value, literal=True)
        terminal.wait_for(rf"{label}  {value}\b", 10)
    terminal.keys("C-l")
    terminal.wait_for(r"Monitor", 60)
    screens = [terminal.wait_for(rf"running\s+\d/{EPOCHS}", 90)]
    deadline = time.monotonic() + 180
    while "finished" not in screens[-1] and time.monotonic() < deadline:
        screens.append(terminal.screen())
        time.sleep(0.3)
    partial = [int(m) for s in screens for m in re.findall(rf"running\s+(\d)/{EPOCHS}", s)]
    assert any(0 < k < EPOCHS for k in partial), "epochs must show up while the run trains"
    assert re.search(rf"finished\s+{EPOCHS}/{EPOCHS}", screens[-1])
    terminal.keys("C-q")
    terminal.close()
    terminal.open(runs, "monitor")
    terminal.wait_for(rf"finished\s+{EPOCHS}/{EPOCHS}", 30)
    terminal.wait_for(r"• test accuracy", 30)  # the legend under the plot: the curves are drawn
