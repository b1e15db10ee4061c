"""README's "Contributing" as written: `textual run --dev tui.app:CnnTuiApp` (textual-dev, with
the venv's bin first on PATH as `source .venv/bin/activate` leaves it) starts the app in a real
terminal, and a workspace opens from it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TEXTUAL = Path(sys.executable).parent / "textual"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux"),
    pytest.mark.skipif(not TEXTUAL.exists(), reason="needs textual-dev (the dev extra)"),
]


def test_textual_run_dev_starts_the_app(tmp_path):
    socket = f"textual-dev-{os.getpid()}"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")},
        "PATH": f"{TEXTUAL.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "CNN_TUI_RUNS": str(tmp_path / "runs"),
        "CNN_TUI_DATA": str(tmp_path / "data"),
    }

    def tmux(*args: str) -> str:
        command = ["tmux", "-L", socket, *args]
        return subprocess.run(command, capture_output=True, text=True, env=env).stdout

    def wait_for(text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = tmux("capture-pane", "-p")
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; last screen:\n{screen}")

    command = f"cd {ROOT} && textual run --dev tui.app:CnnTuiApp; sleep 60"
    tmux("new-session", "-d", "-x", "100", "-y", "30", command)
    try:
        home = wait_for("Pick a workspace")
        assert "Traceback" not in home and "Convolution lab" in home
        tmux("send-keys", "1")
        lab = wait_for("Convolution lab — exercises A1-A4")
        assert "Traceback" not in lab
    finally:
        tmux("kill-server")
