"""What the single-layer solver answers: the solutions listed, counted and bounded, in words."""

from __future__ import annotations

from dataclasses import dataclass

from core.arch.shapes import Fit, count

FIELDS = ("in_size", "out_size", "kernel", "stride", "padding")
"""The five values of a single-layer calculation; any one or two may be left blank."""
MAX_SOLUTIONS = 50  # solutions listed (exact fits first); the rest are counted
LABEL = {"in_size": "input", "out_size": "output", "output_padding": "output_padding"}

Range = tuple[int, int | None]  # lowest and highest value (None: no upper end)


@dataclass(frozen=True)
class Solution:
    """One assignment of the calculator values that satisfies the layer's formula."""

    in_size: int
    out_size: int
    kernel: int
    stride: int
    padding: int
    fit: Fit  # how out_size follows from the others
    output_padding: int = 0  # transposed convs only

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in FIELDS}


@dataclass(frozen=True)
class Solved:
    """The answer of the single-layer calculator: the solutions listed, counted and bounded."""

    known: dict[str, int]  # the values the user gave
    missing: tuple[str, ...]  # the names solved for (output_padding included when it was)
    solutions: tuple[Solution, ...]  # at most MAX_SOLUTIONS, exact fits first
    truncated: bool  # True when more solutions exist than are listed
    note: str  # one sentence: unique, several, none, with counts and ranges
    ranges: dict[str, Range]  # each blank's lowest and highest solving value
    total: int | None = None  # how many solutions there are (None: unbounded or not all searched)

    @property
    def unique(self) -> bool:
        return len(self.solutions) == 1 and not self.truncated


def range_text(name: str, span: Range) -> str:
    label = LABEL.get(name, name)
    low, high = span
    if high is None:
        return f"{label} ≥ {low:,}"
    return f"{label} {low:,}" if low == high else f"{label} {low:,}…{high:,}"


def answer(values, missing, found, total, ranges, *, got=None, searched="") -> Solved:
    names = " and ".join(LABEL.get(name, name.replace("_", " ")) for name in missing)
    unique = {}
    for solution in found:
        unique.setdefault((*solution.as_dict().values(), solution.output_padding), solution)
    listed = sorted(unique.values(), key=lambda s: not s.fit.exact)
    truncated = total is None or total > len(listed) or len(listed) > MAX_SOLUTIONS
    listed = listed[:MAX_SOLUTIONS]
    truncated = truncated and bool(listed)
    given = {name: values[name] for name in FIELDS if name in values and name not in missing}
    if not listed:
        if got is not None:
            note = f"Nothing is blank, and these values give an output of {got}, not {values['out_size']}."
        elif searched:
            note = f"No {names} found with {searched} (the search stops there)."
        else:
            note = f"No {names} fits these values."
        return Solved(given, tuple(missing), (), False, note, {}, 0)
    spans = ", ".join(range_text(name, span) for name, span in ranges.items() if name in missing)
    exact = sum(solution.fit.exact for solution in listed)
    if not missing:
        note = "Nothing is blank, and these values fit."
    elif len(listed) == 1 and not truncated:
        first = listed[0]
        tail = (
            "" if first.fit.exact else f" (not exact: {count(first.fit.dropped, 'cell')} dropped)"
        )
        note = f"One solution for {names}{tail}."
    elif not truncated:
        note = f"{len(listed)} solutions for {names} ({exact} exact)."
    elif searched:
        note = (
            f"Many solutions for {names} ({spans}, searching {searched}); "
            f"{len(listed)} listed, exact fits first."
        )
    elif total is None:
        note = f"Without end: {spans}; the first {len(listed)} listed, exact fits first."
    else:
        note = f"{total:,} solutions for {names} ({spans}); {len(listed)} listed, exact fits first."
    return Solved(given, tuple(missing), tuple(listed), truncated, note, ranges, total)
