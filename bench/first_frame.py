"""Time from starting `cnn-tui` to its first painted Home frame, in a real terminal (tmux).

Usage: python bench/first_frame.py [--repeats 5]
Prints each run and the median, plus whether torch was imported on the way (-X importtime).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER = "Scratch lab"  # last Home entry: the whole list has been painted


def first_frame_seconds(width: int, height: int) -> float:
    socket = f"cnn-tui-bench-{os.getpid()}-{time.monotonic_ns()}"
    command = f"cd {ROOT} && exec {sys.executable} -m tui.cli"
    start = time.perf_counter()
    subprocess.run(
        [
            "tmux",
            "-L",
            socket,
            "new-session",
            "-d",
            "-s",
            "bench",
            "-x",
            str(width),
            "-y",
            str(height),
            command,
        ],
        check=True,
    )
    try:
        while time.perf_counter() - start < 30:
            screen = subprocess.run(
                ["tmux", "-L", socket, "capture-pane", "-p", "-t", "bench"],
                capture_output=True,
                text=True,
            ).stdout
            if MARKER in screen:
                return time.perf_counter() - start
            time.sleep(0.01)
        raise TimeoutError("the Home screen did not appear within 30 s")
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


def torch_imported_before_first_frame() -> bool:
    result = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            "import tui.app, tui.home_screen; tui.app.make_app()",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    return any(line.rstrip().endswith("| torch") for line in result.stderr.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("tmux is needed for this benchmark")
    for width, height in ((80, 24), (120, 40)):
        times = [first_frame_seconds(width, height) for _ in range(args.repeats)]
        print(
            f"{width}x{height}: first frame median {statistics.median(times):.3f} s "
            f"(runs: {', '.join(f'{t:.3f}' for t in times)})"
        )
    print(f"torch imported before the first frame: {torch_imported_before_first_frame()}")


if __name__ == "__main__":
    main()
