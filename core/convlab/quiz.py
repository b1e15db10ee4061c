"""Quiz mode: one quantity's cells stay hidden until the student enters or reveals each one.

A `Quiz` holds the exact answer (`check.expected`), what the student typed per cell, whether
each cell was right at its first try, and which cells were revealed. Single cells are checked
with the same rule as whole answers (`check.agrees`: exact, or a decimal rounded as typed), and a
wrong value is diagnosed by the same common-mistake hypotheses (`check.cell_mistakes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from core.convlab.check import agrees, cell_mistakes, expected
from core.convlab.matrix import Tensor3, fmt
from core.convlab.problem import Solution

Cell = tuple[int, int, int]
"""(channel, row, column) of the quizzed quantity."""


@dataclass(frozen=True)
class Verdict:
    """What one entry got: right or not, and for a wrong one the mistakes that give it."""

    cell: Cell
    right: bool
    text: str


@dataclass
class Quiz:
    """The hidden cells of `quantity` (kernel `kernel`) and the student's progress on them."""

    solution: Solution
    quantity: str
    kernel: int = 0
    truth: Tensor3 = field(init=False)
    entries: dict[Cell, Fraction] = field(default_factory=dict)  # the last value typed
    first_try: dict[Cell, bool] = field(default_factory=dict)  # right at the first entry?
    solved: set[Cell] = field(default_factory=set)  # entered right (at any try)
    revealed: set[Cell] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.truth = expected(self.solution, self.quantity, self.kernel)

    @property
    def cells(self) -> list[Cell]:
        """Every cell of the quantity, channel by channel, row-major."""
        return [
            (c, i, j)
            for c, plane in enumerate(self.truth)
            for i, row in enumerate(plane)
            for j in range(len(row))
        ]

    def hidden(self) -> set[Cell]:
        """Cells whose value the screen must not show yet."""
        return set(self.cells) - self.solved - self.revealed

    @property
    def done(self) -> bool:
        return not self.hidden()

    def value(self, cell: Cell) -> Fraction:
        c, i, j = cell
        return self.truth[c][i][j]

    def enter(self, cell: Cell, typed: Fraction) -> Verdict:
        """Check one typed value; the first entry of a cell decides its first-try mark."""
        if cell not in set(self.cells):
            raise ValueError(f"no cell {cell} in the {self.quantity}")
        right = agrees(typed, self.value(cell))
        self.entries[cell] = typed
        self.first_try.setdefault(cell, right)
        name = self.name(cell)
        if right:
            self.solved.add(cell)
            exact = "" if typed == self.value(cell) else f" (≈ {fmt(self.value(cell))})"
            return Verdict(cell, True, f"✓ {name} = {fmt(typed)}{exact} is right.")
        mistakes = cell_mistakes(self.solution.problem, self.quantity, self.kernel, cell, typed)
        why = (
            f"It is what you get with: {'; '.join(mistakes)}."
            if mistakes
            else "None of the common mistakes gives this value: try again, or R reveals it."
        )
        return Verdict(cell, False, f"✗ {name} = {fmt(typed)} is wrong. {why}")

    def reveal(self, cell: Cell) -> None:
        if cell not in self.solved:
            self.revealed.add(cell)

    def reveal_all(self) -> None:
        for cell in self.hidden():
            self.revealed.add(cell)

    def score(self) -> str:
        """ "5/9 right first try · 1 revealed · 3 to go" (or "done: …")."""
        total = len(self.cells)
        first = sum(1 for cell, right in self.first_try.items() if right)
        parts = [f"{first}/{total} right first try"]
        if self.revealed:
            parts.append(f"{len(self.revealed)} revealed")
        left = len(self.hidden())
        parts.append(f"{left} to go" if left else "done")
        return " · ".join(parts)

    @property
    def all_right(self) -> bool:
        """Every cell entered right, none revealed: the exercise counts as solved."""
        return self.done and not self.revealed

    def answer_text(self) -> str:
        """The student's values as a matrix answer ("?" where nothing right was typed)."""
        planes = []
        for c, plane in enumerate(self.truth):
            rows = []
            for i, row in enumerate(plane):
                values = []
                for j in range(len(row)):
                    typed = self.entries.get((c, i, j))
                    values.append(fmt(typed) if typed is not None else "?")
                rows.append(" ".join(values))
            planes.append("; ".join(rows))
        return " | ".join(planes)

    def name(self, cell: Cell) -> str:
        """The cell as the lab names it: o[1,2], p[0,0], dE/dw[0,1], dE/dx c2[1,1]…"""
        c, i, j = cell
        symbol = SYMBOLS.get(self.quantity, self.quantity)
        channel = f" c{c + 1}" if len(self.truth) > 1 else ""
        return f"{symbol}{channel}[{i},{j}]"


SYMBOLS = {
    "output": "o",
    "pre_activation": "z",
    "pooled": "p",
    "grad_weight": "dE/dw",
    "grad_bias": "dE/db",
    "grad_input": "dE/dx",
}
"""How each quizzable quantity's cells are named on screen."""
