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
import re
from pathlib import Path
from typing import Any

from core.runs.curves import global_step
from core.runs.events import PROBLEMS_KEPT, EventTail
from core.runs.schema import event_problem
from core.runs.step_shapes import StepShapes

STEP_BUCKETS = 512  # buckets of kept step events (2 each): more than a plot is columns wide
Entry = tuple[int, dict[str, Any]]  # (position among the log's valid events, event)

_INT = rb"(-?(?:0|[1-9][0-9]*))"
_NUM = rb"(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)"
_OPT = rb"(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|null)"
_WRITTEN_STEP = re.compile(
    rb'\{"seq": '
    + _INT
    + rb', "time": '
    + _NUM
    + rb', "kind": "step", "epoch": '
    + _INT
    + rb', "step": '
    + _INT
    + rb', "steps_per_epoch": '
    + _INT
    + rb', "global_step": '
    + _INT
    + rb', "loss": '
    + _NUM
    + rb', "lr": '
    + _OPT
    + rb', "images_per_s": '
    + _OPT
    + rb"\}\s*"
)
"""A step line exactly as the worker writes it: valid by construction (integers where the
schema wants them, numbers elsewhere), so the digest reads its step and loss without parsing
the JSON and parses only the lines it keeps. Any other line takes the full, validated path."""


_STEP_FIELDS = ("epoch", "step", "steps_per_epoch", "global_step", "loss", "lr", "images_per_s")


def _json_number(text: bytes) -> int | float | None:
    """What json.loads makes of a number matched by _NUM/_OPT (an int when it has no . or e)."""
    if text == b"null":
        return None
    if text.lstrip(b"-").isdigit():
        return int(text)
    return float(text)


class _Kept:
    """A kept step: its position, loss, and the event (built only when asked for)."""

    __slots__ = ("loss", "payload", "position")

    def __init__(self, position: int, loss: float, payload: re.Match | dict[str, Any]):
        self.position, self.loss, self.payload = position, loss, payload

    def event(self) -> dict[str, Any]:
        if isinstance(self.payload, re.Match):  # the same dict json.loads gives, built faster
            seq, time, *rest = [_json_number(group) for group in self.payload.groups()]
            self.payload = {
                "seq": seq,
                "time": time,
                "kind": "step",
                **dict(zip(_STEP_FIELDS, rest)),
            }
        return self.payload


class RunDigest:
    """A bounded summary of one run's events.jsonl, updated from where it last read."""

    def __init__(self, path: Path | str, steps: bool = True):
        self.tail = EventTail(path)
        self.tail.fast = self._written_step
        self.keep_steps = steps  # False: a listing's digest, the steps counted, not kept
        if not steps:  # step lines recognised a chunk at a time (`core.runs.step_shapes`)
            self.tail.others, self.tail.run = StepShapes().others, self._written_steps
        self.count = 0  # valid events folded in so far
        self.head: list[Entry] = []  # every event that is not a plottable step
        self.buckets: dict[int, list[_Kept]] = {}  # bucket → [lowest, highest] loss
        self.width = 1.0  # steps per bucket
        self.last_step: _Kept | None = None
        self.revision = 0  # bumped whenever what `events()` returns may have changed
        self.steps_complete = steps  # False for a summary from the cache or a listing's digest

    def clear(self) -> None:
        """Forget everything (the log was truncated or replaced)."""
        self.count = 0
        self.head, self.buckets, self.width, self.last_step = [], {}, 1.0, None
        self.steps_complete = self.keep_steps
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

    def _written_step(self, line: bytes) -> bool:
        match = _WRITTEN_STEP.fullmatch(line)
        if match is None:
            return False
        loss = float(match[7])
        if not math.isfinite(loss):
            return False  # 1e999: let the full path decide
        self._step(_Kept(self.count, loss, match), int(match[6]))
        return True

    def _written_steps(self, lines: list[bytes], start: int, stop: int) -> None:
        # lines[start:stop] are written step lines (`StepShapes`): counted; the last one kept
        match = _WRITTEN_STEP.fullmatch(lines[stop - 1])
        if match is None:  # cannot happen (StepShapes checks the shape); read them one by one
            for line in lines[start:stop]:
                if not self._written_step(line):
                    raise ValueError(f"not a written step line: {line[:80]!r}")
            return
        self.count += stop - start
        self.last_step = _Kept(self.count - 1, float(match[7]), match)

    def add(self, event: dict[str, Any]) -> None:
        """Fold one valid event in."""
        if event["kind"] == "step":
            x = global_step(event)
            loss = event.get("loss")
            if x is not None and math.isfinite(x) and loss is not None and math.isfinite(loss):
                self._step(_Kept(self.count, float(loss), event), x)
                return
            self.last_step = _Kept(self.count, math.nan, event)
        self.head.append((self.count, event))  # a step that cannot be plotted is kept as is
        self.count += 1

    def _step(self, kept: _Kept, x: float) -> None:
        self.count += 1
        self.last_step = kept
        if not self.keep_steps:
            return
        self._put(math.floor(x / self.width), kept, kept)
        while len(self.buckets) > STEP_BUCKETS:
            self._coarsen()

    def _put(self, key: int, low: _Kept, high: _Kept) -> None:
        held = self.buckets.get(key)
        if held is None:
            self.buckets[key] = [low, high]
            return
        # ties: the earliest lowest, the latest highest (the same whatever the read order)
        if (low.loss, low.position) < (held[0].loss, held[0].position):
            held[0] = low
        if (high.loss, high.position) > (held[1].loss, held[1].position):
            held[1] = high

    def _coarsen(self) -> None:
        buckets, self.buckets = self.buckets, {}
        self.width *= 2
        for key, (low, high) in buckets.items():
            self._put(key // 2, low, high)

    def head_events(self) -> list[dict[str, Any]]:
        """The kept events but the plottable steps, in file order: enough for the status and
        the epoch table, and cheap (no step is parsed)."""
        return [event for _, event in self.head]

    def events(self) -> list[dict[str, Any]]:
        """The kept events in file order: all but the thinned-out steps."""
        unique = dict(self.head)
        for low, high in self.buckets.values():
            unique[low.position] = low.event()
            unique[high.position] = high.event()
        if self.last_step is not None:
            unique[self.last_step.position] = self.last_step.event()
        return [unique[position] for position in sorted(unique)]

    def report(self) -> str:
        """What was skipped or cut off while reading the log ("" when nothing was)."""
        return self.tail.report()

    def to_json(self) -> dict[str, Any]:
        """JSON-ready state for the summary cache: all but the thinned steps (the cache serves
        listings; a plot reads the steps from the log), so it stays small."""
        tail = self.tail
        return {
            "count": self.count,
            "head": [list(entry) for entry in self.head],
            "width": self.width,
            "last_step": _saved(self.last_step) if self.last_step else None,
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
        """The digest `to_json` saved, without its thinned steps; ValueError when `data` is not
        one (rebuild instead)."""
        try:
            digest = cls(path)
            digest.count = _int(data["count"])
            digest.head = [_entry(item) for item in data["head"]]
            digest.steps_complete = False
            digest.width = float(data["width"])
            digest.last_step = _kept(data["last_step"]) if data["last_step"] else None
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
    # Every event was validated when it was read from the log; a cached one is checked again
    # (the cache is a file too), and any doubt rebuilds the digest from the log.
    position, event = item
    problem = event_problem(event)
    if problem:
        raise ValueError(problem)
    return (_int(position), event)


def _saved(kept: _Kept) -> list[Any]:
    return [kept.position, kept.loss if math.isfinite(kept.loss) else None, kept.event()]


def _kept(item: Any) -> _Kept:
    position, loss, event = item
    position, event = _entry((position, event))
    return _Kept(position, math.nan if loss is None else float(loss), event)


def read_digest(run_dir: Path | str, steps: bool = True) -> RunDigest:
    """A fresh digest of the whole log of run `run_dir` (no cache); `steps=False`: the step
    events counted, not kept (all a listing needs of them: faster)."""
    digest = RunDigest(Path(run_dir) / "events.jsonl", steps)
    digest.update()
    return digest
