"""Where every "on" tap of a kernel sees a 1 (A1: how patch, kernel, bias and ReLU interact).

For a 0/1 image and a kernel of 0/1 taps the window's sum counts the taps that meet a 1; with
a bias of 1 − (number of on taps) the ReLU keeps exactly the windows where all of them do.
The windows and the input cells under their taps come from the lab's own trace (the terms of
each step), so the picture shows the products the arithmetic lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.convlab.problem import Solution


@dataclass(frozen=True)
class TapMatches:
    """One kernel's on taps and the windows where all of them see a 1 (a positive input)."""

    taps: tuple[tuple[int, int, int], ...]  # (channel, row, col) of the weights above 0
    windows: frozenset[tuple[int, int]]  # output cells whose every on tap sees a 1
    cells: frozenset[tuple[int, int, int]]  # (channel, row, col) of the padded input read there
    positive: frozenset[tuple[int, int]]  # output cells above 0 (after bias and activation)

    @property
    def explains_output(self) -> bool:
        """Whether the output is above 0 at exactly the matching windows."""
        return self.windows == self.positive


def tap_matches(solution: Solution, kernel: int) -> TapMatches:
    """The matches of kernel `kernel` (0-based) over the whole output."""
    result = solution.forward.results[kernel]
    taps: set[tuple[int, int, int]] = set()
    windows: set[tuple[int, int]] = set()
    cells: set[tuple[int, int, int]] = set()
    for step in result.steps:
        on = [term for term in step.terms if term.w > 0]
        taps.update((t.channel, t.kernel_row, t.kernel_col) for t in on)
        if on and all(term.x > 0 for term in on):
            windows.add(step.out)
            cells.update((t.channel, t.row, t.col) for t in on)
    positive = {
        (i, j) for i, row in enumerate(result.output) for j, value in enumerate(row) if value > 0
    }
    return TapMatches(
        tuple(sorted(taps)), frozenset(windows), frozenset(cells), frozenset(positive)
    )
