"""The Calculators' workers are superseded by the next edit, and quitting never waits on one:
ctrl+q ends the process even while a worker thread is still computing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = textwrap.dedent(
    """
    import asyncio, threading, time
    from pathlib import Path
    from tui.app import make_app
    from tui.config import AppConfig

    async def main():
        app = make_app(AppConfig(runs_dir=Path("runs")))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2")
            await pilot.pause()
            screen = app.screen
            first = screen.run_worker(lambda: time.sleep(300), thread=True, exclusive=True,
                                      group="solve")
            second = screen.run_worker(lambda: time.sleep(300), thread=True, exclusive=True,
                                       group="solve")
            await pilot.pause()
            print("cancelled", first.is_cancelled, second.is_cancelled, flush=True)
            await pilot.press("ctrl+q")
        print("app closed", flush=True)

    asyncio.run(main())
    """
)


def test_ctrl_q_exits_while_a_calculator_worker_still_runs(tmp_path):
    began = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=40,  # the workers sleep 300 s: waiting on them would time out
        env={"PYTHONPATH": str(ROOT), "CNN_TUI_RUNS": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "cancelled True False" in result.stdout  # the newer supersedes the older
    assert "app closed" in result.stdout
    assert time.monotonic() - began < 40
