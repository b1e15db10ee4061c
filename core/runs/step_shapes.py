"""Step lines recognised a whole chunk at a time, for readers that only count the steps.

A listing (`runs ls`, the status of a run) keeps every event but the step events, of which it
needs only how many there are and the latest. Parsing a million step lines one by one costs
seconds; this module decides for all the lines of a chunk at once, in C-level passes, which of
them are step lines exactly as the worker writes them (`core.runs.digest._WRITTEN_STEP`):

- every digit becomes 0 (`bytes.translate`): what is left is the line's *shape*, and a log has
  few distinct shapes (one per combination of number lengths), each checked once by a regular
  expression and remembered;
- a number with a leading zero (not JSON) is the one thing a shape cannot tell: a chunk with
  ": 0<digit>" or ": -0<digit>" anywhere is left to the line-by-line reader;
- a loss with an exponent or more than 300 integer digits (maybe not finite) is not a
  recognised shape, so it also takes the line-by-line path.

A line of a recognised shape in a chunk without a leading zero therefore matches
`_WRITTEN_STEP`: a valid step event with a finite loss (tests compare this path with the
line-by-line one on random logs, garbage lines included).
"""

from __future__ import annotations

import re
from itertools import compress
from operator import not_

_DIGITS = bytes.maketrans(b"123456789", b"000000000")
_LEADING_ZERO = re.compile(rb": -?0[0-9]")
_I = rb"-?0+"
_N = rb"-?0+(?:\.0+)?(?:[eE][-+]?0+)?"
_O = rb"(?:" + _N + rb"|null)"
_SHAPE = re.compile(
    rb'\{"seq": ' + _I + rb', "time": ' + _N + rb', "kind": "step", "epoch": ' + _I
    + rb', "step": ' + _I + rb', "steps_per_epoch": ' + _I + rb', "global_step": ' + _I
    + rb', "loss": -?(0+)(?:\.0+)?, "lr": ' + _O + rb', "images_per_s": ' + _O
    + rb"\}[ \t\r\f\v]*"
)  # fmt: skip
SHAPES_KEPT = 4096  # distinct shapes remembered (a log has tens to hundreds)


class StepShapes:
    """Remembers which line shapes are written step lines."""

    def __init__(self) -> None:
        self.good: set[bytes] = set()
        self.bad: set[bytes] = set()

    def others(self, data: bytes, lines: list[bytes]) -> list[int] | None:
        """The indexes of the `lines` (the complete lines of `data`) that are not written step
        lines; None when this chunk must be read line by line."""
        if _LEADING_ZERO.search(data):
            return None
        shapes = data.translate(_DIGITS).split(b"\n")[: len(lines)]
        for shape in set(shapes).difference(self.good, self.bad):
            match = _SHAPE.fullmatch(shape)
            ok = match is not None and len(match[1]) <= 300
            kept = self.good if ok else self.bad
            if len(kept) < SHAPES_KEPT:
                kept.add(shape)
            elif ok:
                return None  # too many shapes to remember: not a worker's log
        return list(compress(range(len(shapes)), map(not_, map(self.good.__contains__, shapes))))
