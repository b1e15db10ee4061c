"""The app's crash path, in a real terminal (a pty): an unexpected exception in a screen ends
the app with exit code 1, the error and a note on what to do, never a blank screen and exit 0.
(An exception in a background worker only shows a notice: test_monitor_hostile.py.)"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.cli import CRASH_NOTE

ROOT = Path(__file__).resolve().parents[3]
F1 = b"\x1bOP"

FAULTY_APP = """
import sys
from tui.app import CnnTuiApp
from tui.cli import main

def faulty_help(self):
    raise RuntimeError("an unexpected fault in a screen")

CnnTuiApp.action_help = faulty_help
sys.exit(main(["--runs-dir", sys.argv[1]]))
"""


def _plain(output: bytes) -> str:
    """The terminal output without escape sequences, boxes' spacing collapsed."""
    text = re.sub(
        rb"\x1b(\[[0-9;?<>=$]*[ -/]*[@-~]|[()][0-9A-Za-z]|[=>]|P[^\x1b]*\x1b\\)", b"", output
    )
    return " ".join(text.decode("utf-8", "replace").split())


def _read_until(master: int, process, wanted, seconds: float) -> bytes:
    """Terminal output until `wanted(output)` or the process ends (or `seconds` pass)."""
    output = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not wanted(output):
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the process closed the terminal
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None:
            break
    return output


@pytest.mark.slow
def test_an_exception_in_a_screen_exits_1_with_the_error_and_what_to_do(tmp_path):
    master, child = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "PYTHONPATH": str(ROOT)}
    env.pop("TEXTUAL", None)
    process = subprocess.Popen(
        [sys.executable, "-c", FAULTY_APP, str(tmp_path / "runs")],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        cwd=ROOT,
    )
    os.close(child)
    try:
        drawn = _read_until(master, process, lambda out: b"Scratch lab" in out, 60)
        assert b"Scratch lab" in drawn, _plain(drawn)[-500:]  # Home is on screen
        os.write(master, F1)
        output = _read_until(master, process, lambda out: False, 30)
        assert process.wait(timeout=30) == 1
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    said = _plain(output)
    assert "RuntimeError: an unexpected fault in a screen" in said
    assert " ".join(CRASH_NOTE.split()) in said
