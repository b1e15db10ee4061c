"""What a reader keeps of a run's events.jsonl: every event but the steps, and the steps thinned.

A long run logs a step event a few times a second (a million in a few days); nobody looks at
them one by one. `RunDigest` follows the log incrementally (`EventTail`: a byte offset, bounded
reads) and keeps every non-step event (start, epoch, eval, end, requeue, …: the epoch table and
the status need them) plus, of the step events, the lowest and highest loss in each of at most
`STEP_BUCKETS` buckets over the global-step axis (bucket width doubles as the run grows), and the
latest step. Memory per run is bounded whatever the log's length, and the result depends only
on the log's contents, not on how its reads were split (tests check incremental == whole file).

`events()` gives the kept events in file order, so every consumer of an event list (curves,
status, exports, tables) reads a digest as it reads a whole log.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from core.runs.curves import global_step
from core.runs.events import PROBLEMS_KEPT, EventTail
from core.runs.schema import event_problem

STEP_BUCKETS = 1024  # buckets of kept step events; more than any plot is wide
Entry = tuple[int, dict[str, Any]]  # (position among the log's valid events, event)


def _low(entry: Entry) -> tuple[float, int]:
    return (float(entry[1]["loss"]), entry[0])


class RunDigest:
    """A bounded summary of one run's events.jsonl, updated from where it last read."""

    def __init__(self, path: Path | str):
        self.tail = EventTail(path)
        self.count = 0  # valid events folded in so far
        self.head: list[Entry] = []  # every event that is not a plottable step
        self.buckets: dict[int, tuple[Entry, Entry]] = {}  # bucket → (lowest, highest) loss
        self.width = 1.0  # steps per bucket
        self.last_step: Entry | None = None
        self.revision = 0  # bumped whenever what `events()` returns may have changed

    def clear(self) -> None:
        """Forget everything (the log was truncated or replaced)."""
        self.count = 0
        self.head, self.buckets, self.width, self.last_step = [], {}, 1.0, None
        self.tail.reset()
        self.revision += 1

    def update(self, max_bytes: int | None = None) -> bool:
        """Fold in what was appended since the last update (at most about `max_bytes` of it);
        returns whether anything changed."""
        before = (self.tail.offset, self.tail.corrupt, self.tail.partial, self.revision)
        try:
            size = self.tail.path.stat().st_size
        except OSError:
            size = 0
        if size < self.tail.offset:
            self.clear()
            self.tail.restarted = True
        for event in self.tail.follow(max_bytes):
            self.add(event)
        changed = before != (self.tail.offset, self.tail.corrupt, self.tail.partial, self.revision)
        if changed:
            self.revision += 1
        return changed

    def add(self, event: dict[str, Any]) -> None:
        """Fold one valid event in."""
        entry = (self.count, event)
        self.count += 1
        if event["kind"] != "step":
            self.head.append(entry)
            return
        self.last_step = entry
        x = global_step(event)
        loss = event.get("loss")
        if x is None or not math.isfinite(x) or loss is None or not math.isfinite(loss):
            self.head.append(entry)  # a step that cannot be plotted is rare: keep it as is
            return
        self._put(math.floor(x / self.width), entry, entry)
        while len(self.buckets) > STEP_BUCKETS:
            self._coarsen()

    def _put(self, key: int, low: Entry, high: Entry) -> None:
        held = self.buckets.get(key)
        if held is not None:
            low = min(held[0], low, key=_low)
            high = max(held[1], high, key=_low)
        self.buckets[key] = (low, high)

    def _coarsen(self) -> None:
        buckets, self.buckets = self.buckets, {}
        self.width *= 2
        for key, (low, high) in buckets.items():
            self._put(key // 2, low, high)

    def events(self) -> list[dict[str, Any]]:
        """The kept events in file order: all but the thinned-out steps."""
        entries = list(self.head)
        for low, high in self.buckets.values():
            entries.append(low)
            if high[0] != low[0]:
                entries.append(high)
        if self.last_step is not None:
            entries.append(self.last_step)
        unique = {position: event for position, event in entries}
        return [unique[position] for position in sorted(unique)]

    def report(self) -> str:
        """What was skipped or cut off while reading the log ("" when nothing was)."""
        return self.tail.report()

    def to_json(self) -> dict[str, Any]:
        """JSON-ready state, for the summary cache."""
        tail = self.tail
        return {
            "count": self.count,
            "head": [list(entry) for entry in self.head],
            "buckets": [[key, list(low), list(high)] for key, (low, high) in self.buckets.items()],
            "width": self.width,
            "last_step": list(self.last_step) if self.last_step else None,
            "tail": {
                "offset": tail.offset,
                "lines": tail.lines,
                "corrupt": tail.corrupt,
                "problems": list(tail.problems),
                "partial": tail.partial,
                "restarted": tail.restarted,
            },
        }

    @classmethod
    def from_json(cls, path: Path | str, data: Any) -> RunDigest:
        """The digest `to_json` saved; ValueError when `data` is not one (rebuild instead)."""
        try:
            digest = cls(path)
            digest.count = _int(data["count"])
            digest.head = [_entry(item) for item in data["head"]]
            for key, low, high in data["buckets"]:
                digest.buckets[_int(key)] = (_entry(low), _entry(high))
            digest.width = float(data["width"])
            digest.last_step = _entry(data["last_step"]) if data["last_step"] else None
            tail = data["tail"]
            digest.tail.offset = _int(tail["offset"])
            digest.tail.lines = _int(tail["lines"])
            digest.tail.corrupt = _int(tail["corrupt"])
            digest.tail.problems = [str(item) for item in tail["problems"]][:PROBLEMS_KEPT]
            digest.tail.partial = _int(tail["partial"])
            digest.tail.restarted = bool(tail["restarted"])
        except (KeyError, TypeError, ValueError, IndexError) as error:
            raise ValueError(f"not a saved digest: {error}") from error
        if not (digest.width >= 1 and math.isfinite(digest.width)):
            raise ValueError("not a saved digest: bad bucket width")
        return digest


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{value!r} is not a count")
    return value


def _entry(item: Any) -> Entry:
    position, event = item
    if event_problem(event):
        raise ValueError(event_problem(event))
    return (_int(position), event)


def read_digest(run_dir: Path | str) -> RunDigest:
    """A fresh digest of the whole log of run `run_dir` (no cache)."""
    digest = RunDigest(Path(run_dir) / "events.jsonl")
    digest.update()
    return digest
