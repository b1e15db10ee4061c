"""The local launcher: start the training worker so that it outlives the terminal that asked.

`start_local` runs `python -m core.worker RUN_DIR` in its own session (no controlling terminal,
so a closed SSH connection sends it no SIGHUP) with its output in worker.log, and records how
to find it again in launch.json. `local_worker_alive` answers from that record.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from core.runs.store import write_json_atomic

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # core/cluster/local.py → the root
"""The folder that holds the `core` package (a checkout, a worktree or site-packages): the
worker's PYTHONPATH and working directory, so `python -m core.worker` imports this very code."""


def spawn_detached(
    module_args: list[str], log: Path, *, python: str | None = None
) -> subprocess.Popen:
    """Run `python -m MODULE ARGS…` from the project root in its own session (no controlling
    terminal, so a closed SSH connection sends it no SIGHUP), its output appended to `log`."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    with open(log, "ab") as stream:
        return subprocess.Popen(
            [python or sys.executable, "-m", *module_args],
            stdin=subprocess.DEVNULL,
            stdout=stream,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            env=env,
            cwd=PROJECT_ROOT,
        )


def start_local(run_dir: Path | str, *, python: str | None = None) -> dict[str, Any]:
    """Start the worker detached on this machine; returns what was written to launch.json."""
    run_dir = Path(run_dir).resolve()
    # a full or read-only folder is told before a worker starts that could not record itself
    write_json_atomic(run_dir / ".launch-check.json", {"room": " " * 4096})  # one block
    (run_dir / ".launch-check.json").unlink()
    process = spawn_detached(["core.worker", str(run_dir)], run_dir / "worker.log", python=python)
    launch = {
        "launcher": "local",
        "pid": process.pid,
        "pid_start": process_start(process.pid),  # tells this worker from a later reuse of its pid
        "host": socket.gethostname(),
        "started": time.time(),
    }
    write_json_atomic(run_dir / "launch.json", launch)
    return launch


def record_foreground(run_dir: Path | str) -> dict[str, Any]:
    """Record that this very process trains the run (the CLI's foreground mode)."""
    launch = {
        "launcher": "local",
        "pid": os.getpid(),
        "pid_start": process_start(os.getpid()),
        "host": socket.gethostname(),
        "started": time.time(),
        "foreground": True,
    }
    write_json_atomic(Path(run_dir) / "launch.json", launch)
    return launch


def pid_alive(pid: int) -> bool:
    """Whether process `pid` exists on this machine and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def process_start(pid: int) -> int | None:
    """When process `pid` started, in clock ticks after boot (field 22 of /proc/PID/stat): with
    the pid it names one process, never a later one that reuses the pid. None without /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[-1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def local_worker_alive(launch: dict[str, Any]) -> bool | None:
    """Whether the local worker that `launch` (launch.json) records still exists: its pid is
    alive and, where launch.json recorded it, the process started when the worker did (a reused
    pid is another process). None when it ran on another host, where this machine cannot look."""
    if launch.get("host") != socket.gethostname():
        return None
    pid = launch.get("pid")
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
        return False
    if not pid_alive(pid):
        return False
    recorded = launch.get("pid_start")
    if isinstance(recorded, int) and not isinstance(recorded, bool):
        now = process_start(pid)
        return now is None or now == recorded
    return True
