"""A run's events.jsonl: appended by one worker, read by anyone, on any node.

Readers never trust change notifications (NFS has none across nodes): they reopen the file,
read from a byte offset, hold back an unterminated last line and skip corrupt lines.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any


class EventWriter:
    """Appends events to events.jsonl, numbering them on from the events already there."""

    def __init__(self, run_dir: Path | str):
        self.path = Path(run_dir) / "events.jsonl"
        existing = read_events(run_dir)
        self.seq = existing[-1]["seq"] + 1 if existing else 0
        self._terminate_partial_line()
        self._stream = open(self.path, "a", encoding="utf-8")

    def _terminate_partial_line(self) -> None:
        # A worker killed mid-write leaves half a line; end it so the next event starts clean
        # (readers then skip it as one corrupt line).
        if self.path.is_file() and self.path.stat().st_size:
            with open(self.path, "rb") as stream:
                stream.seek(-1, os.SEEK_END)
                last = stream.read(1)
            if last != b"\n":
                with open(self.path, "ab") as stream:
                    stream.write(b"\n")

    def write(self, event: dict[str, Any]) -> dict[str, Any]:
        """Stamp `event` with `seq` and `time`, append it as one line and flush; returns it.

        NaN and infinite numbers become null, so every line stays strict JSON."""
        stamped = {"seq": self.seq, "time": time.time(), **_finite_or_none(event)}
        self._stream.write(json.dumps(stamped, allow_nan=False, default=str) + "\n")
        self._stream.flush()
        self.seq += 1
        return stamped

    def close(self) -> None:
        """Flush to disk and close the file."""
        self._stream.flush()
        os.fsync(self._stream.fileno())
        self._stream.close()


def _finite_or_none(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite_or_none(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_none(item) for item in value]
    return value


class EventTail:
    """Incremental reader of an events.jsonl that another process (maybe another node) appends."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.offset = 0  # bytes consumed so far (complete lines only)
        self.corrupt = 0  # lines skipped because they were not JSON objects

    def poll(self) -> list[dict[str, Any]]:
        """The complete events appended since the last poll (reopens the file every time)."""
        try:
            with open(self.path, "rb") as stream:
                if os.fstat(stream.fileno()).st_size < self.offset:
                    self.offset = 0  # the file was replaced: start over
                stream.seek(self.offset)
                data = stream.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n")
        if end < 0:
            return []
        self.offset += end + 1
        events = []
        for line in data[: end + 1].splitlines():
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except ValueError:
                self.corrupt += 1
                continue
            if isinstance(event, dict) and "kind" in event:
                events.append(event)
            else:
                self.corrupt += 1
        return events


def read_events(run_dir: Path | str) -> list[dict[str, Any]]:
    """Every complete, readable event of a run, in file order."""
    return EventTail(Path(run_dir) / "events.jsonl").poll()


def last_session(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events since the last `start` (a resumed run has one session per start)."""
    starts = [index for index, event in enumerate(events) if event["kind"] == "start"]
    return events[starts[-1] :] if starts else events


def epoch_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One `epoch` event per epoch number (the latest wins), sorted by epoch."""
    by_epoch = {event["epoch"]: event for event in events if event["kind"] == "epoch"}
    return [by_epoch[epoch] for epoch in sorted(by_epoch)]
