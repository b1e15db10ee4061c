"""A run's events.jsonl: appended by one worker, read by anyone, on any node.

Readers never trust change notifications (NFS has none across nodes): they reopen the file,
read from a byte offset, hold back an unterminated last line and skip corrupt lines.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from core.runs.schema import event_problem


class EventWriter:
    """Appends events to events.jsonl, numbering them on from the events already there."""

    def __init__(self, run_dir: Path | str):
        self.path = Path(run_dir) / "events.jsonl"
        self.seq = 0
        for event in EventTail(self.path).follow():  # streamed: a long log is not held
            if isinstance(event.get("seq"), int):
                self.seq = max(self.seq, event["seq"] + 1)
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


CHUNK_BYTES = 4 << 20  # how much of events.jsonl one read takes (bounded memory per read)
LINE_BYTES = 16 << 20  # a longer "line" is garbage, skipped without holding it in memory
PROBLEMS_KEPT = 5  # skipped records whose reason is kept for reporting (the rest are counted)


class EventTail:
    """Incremental reader of an events.jsonl that another process (maybe another node) appends.

    Remembers the byte offset of the last complete line; each poll reads only the bytes after
    it, in bounded chunks, and holds back an unterminated last line. Every line goes through
    `core.runs.schema.event_problem`: one that is not JSON, or not an event of its kind's shape,
    is skipped, counted in `corrupt` and (the first few) described in `problems`."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.offset = 0  # bytes consumed so far (complete lines only)
        self.lines = 0  # complete lines consumed so far
        self.corrupt = 0  # lines skipped because they were not JSON or not a valid event
        self.problems: list[str] = []  # "line N: why" for the first PROBLEMS_KEPT skipped lines
        self.partial = 0  # bytes of an unterminated last line (a write in progress, or cut off)
        self.restarted = False  # the file shrank under us once: it was truncated or replaced
        self._overlong = False  # inside a line longer than LINE_BYTES (skipped)
        self.fast: Callable[[bytes], bool] | None = None  # takes a line it recognises whole
        # takes a chunk's lines it recognises at once: `others(data, lines)` gives the indexes
        # of the lines it leaves (None: all of them), `run(lines, start, stop)` takes the rest
        self.others: Callable[[bytes, list[bytes]], list[int] | None] | None = None
        self.run: Callable[[list[bytes], int, int], None] | None = None

    def reset(self) -> None:
        """Forget everything read: the next poll starts at the beginning of the file."""
        self.offset = self.lines = self.corrupt = self.partial = 0
        self.problems = []
        self._overlong = False

    def poll(self, max_bytes: int | None = None) -> list[dict[str, Any]]:
        """The complete events appended since the last poll (reopens the file every time);
        at most about `max_bytes` of the file are read when given (call again for more)."""
        return list(self.follow(max_bytes))

    def follow(self, max_bytes: int | None = None) -> Iterator[dict[str, Any]]:
        """Like `poll`, one event at a time, so a whole long log is never held in memory."""
        try:
            stream = open(self.path, "rb")
        except OSError:
            return
        with stream:
            size = os.fstat(stream.fileno()).st_size
            if size < self.offset:
                self.reset()  # the file was truncated or replaced: start over
                self.restarted = True
            stream.seek(self.offset)
            budget = size - self.offset if max_bytes is None else max_bytes
            carry = b""
            while True:
                chunk = stream.read(CHUNK_BYTES if budget > 0 else LINE_BYTES)
                if not chunk:
                    break
                budget -= len(chunk)
                data = carry + chunk
                end = data.rfind(b"\n")
                if end < 0:
                    carry = data
                    if len(carry) > LINE_BYTES:  # no event is this long: skip to its end
                        self.offset += len(carry)
                        carry = b""
                        self._overlong = True
                    continue
                carry = data[end + 1 :]
                self.offset += end + 1
                yield from self._parse(data)  # its complete lines: those before `carry`
                if budget <= 0:
                    break
            self.partial = len(carry) if self.offset + len(carry) >= size else 0

    def _parse(self, data: bytes) -> Iterator[dict[str, Any]]:
        lines = data.split(b"\n")[:-1]  # the complete lines (the last piece is unterminated)
        others, run = None, self.run
        if self.others is not None and run is not None and not self._overlong:
            others = self.others(data, lines)
        if others is None or run is None:
            for line in lines:
                event = self._line(line)
                if event is not None:
                    yield event
            return
        done = 0
        for index in [*others, len(lines)]:
            if index > done:
                self.lines += index - done
                run(lines, done, index)
            if index < len(lines):
                event = self._line(lines[index])
                if event is not None:
                    yield event
            done = index + 1

    def _line(self, line: bytes) -> dict[str, Any] | None:
        self.lines += 1
        if self._overlong:
            self._overlong = False
            self._skip(f"longer than {LINE_BYTES >> 20} MiB")
            return None
        if self.fast is not None and self.fast(line):
            return None
        if not line.strip():
            return None
        try:
            event = json.loads(line)
            problem = event_problem(event)
        except ValueError:
            problem = "not JSON"
        except RecursionError:
            problem = "nested too deeply"
        if problem:
            self._skip(problem)
            return None
        return event

    def _skip(self, problem: str) -> None:
        self.corrupt += 1
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.append(f"line {self.lines}: {problem}")

    def report(self) -> str:
        """One sentence on what was skipped or cut off; "" when the log read cleanly."""
        parts = []
        if self.corrupt:
            more = self.corrupt - len(self.problems)
            listed = "; ".join(self.problems) + (f"; and {more} more" if more > 0 else "")
            parts.append(f"{self.corrupt} unreadable record(s) in events.jsonl skipped ({listed})")
        if self.partial:
            parts.append(
                f"events.jsonl ends in an unfinished line ({self.partial} bytes): a record "
                "being written, or one cut off"
            )
        if self.restarted:
            parts.append("events.jsonl shrank (truncated or replaced) and was read again")
        return ". ".join(parts)


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
