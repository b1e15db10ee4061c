"""Run one CLI command in this process, under a time limit, and read what the user saw."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail the test when the block runs longer than `seconds` (SIGALRM; main thread only)."""

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def refused(capsys: pytest.CaptureFixture[str], *argv: str, seconds: float = 20) -> str:
    """Run `cnn-tui ARGV`; it must end within `seconds` with exit code 2 and a message, not a
    traceback. Returns the message (stderr)."""
    from tui.cli import main

    with within(seconds):
        try:
            code = main(list(argv))
        except SystemExit as exit_:  # argparse's usage errors
            code = exit_.code
    captured = capsys.readouterr()
    assert code == 2, (code, captured.out[-500:], captured.err[-500:])
    assert "Traceback" not in captured.err and captured.err.strip()
    return captured.err
