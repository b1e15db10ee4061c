"""Quiz mode for the calculators: a layer's solved values, or a layer table's numbers, stay
hidden until the student types each one. Every entry is judged by the course solver
(`core.course.solve`: the same answers and diagnoses as `cnn-tui course check` and the
Sheet), and the quiz knows which other numbers would give a hidden one away."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.course.pack import Task
from core.course.solve import SolvedTask, solve_task, summary_solved
from core.errors import UserError

LAYER_FIELDS = ("in", "out", "kernel", "stride", "padding", "output_padding")
"""The single-layer values a quiz can ask for (`cnn-tui calc`'s names), in screen order."""

TABLE_COLUMNS = ("output_shape", "params", "receptive_field", "macs")
"""The layer-table numbers a quiz asks for, per layer (also those a summary task asks for)."""

GROUPS = {
    "output_shape": "shape",
    "macs": "shape",  # MACs = C_out·H·W·C_in·k²: they give the output size away
    "params": "params",
    "weights": "params",
    "biases": "params",
    "trainable": "params",
    "receptive_field": "field",
    "jump": "field",
}
"""Table columns that give each other away: a column stays concealed while a number of its
group is still to be answered."""

TOTALS = {"params": "total_params", "trainable": "trainable_params", "macs": "total_macs"}
"""The totals row's cells that are quiz values of their own."""


@dataclass(frozen=True)
class Verdict:
    """What one entry got: right or not, and the sentence the screen shows."""

    key: str
    right: bool
    text: str


@dataclass
class CalcQuiz:
    """The hidden values (`items`, key → the solved task that judges it) and the student's
    progress on them. Keys are `answer_for` names: "padding", "layers[3].params"…"""

    items: dict[str, SolvedTask]
    labels: dict[str, str]  # key → how the screen names it ("padding", "conv1 params")
    source: Any = None  # what the quiz was made for (the screen compares it)
    entries: dict[str, str] = field(default_factory=dict)  # the last text typed per key
    first_try: dict[str, bool] = field(default_factory=dict)
    solved: set[str] = field(default_factory=set)  # entered right (at any try)
    revealed: set[str] = field(default_factory=set)

    @property
    def keys(self) -> list[str]:
        return list(self.items)

    def hidden(self) -> set[str]:
        return set(self.items) - self.solved - self.revealed

    def next_hidden(self, after: str | None = None) -> str | None:
        """The first hidden key after `after` (wrapping), or None when all are shown."""
        keys = self.keys
        start = keys.index(after) + 1 if after in keys else 0
        hidden = self.hidden()
        return next((k for k in keys[start:] + keys[:start] if k in hidden), None)

    @property
    def done(self) -> bool:
        return not self.hidden()

    @property
    def all_right(self) -> bool:
        """Every value entered right, none revealed."""
        return self.done and not self.revealed

    def answer(self, key: str) -> str:
        """The right answer as a student would type it ("2", "32,17,17", "1 or 2")."""
        return self.items[key].answer_text

    def enter(self, key: str, text: str) -> Verdict:
        """Check one typed value; the first entry of a value decides its first-try mark."""
        if key not in self.items:
            raise UserError(f"There is nothing to answer for {key}.")
        judge = self.items[key].judge
        if not text.strip() or judge is None:
            raise UserError(f"Type a value for {self.labels[key]} first.")
        right, diagnosis = judge(text)  # an unreadable answer is a UserError: not counted
        self.entries[key] = text.strip()
        self.first_try.setdefault(key, right)
        name = self.labels[key]
        if right:
            self.solved.add(key)
            self.revealed.discard(key)
            return Verdict(key, True, f"✓ {name} = {text.strip()} is right.")
        why = diagnosis or "Try again, or R reveals it."
        return Verdict(key, False, f"✗ {name} = {text.strip()} is wrong. {why}")

    def reveal(self, key: str) -> None:
        if key in self.items and key not in self.solved:
            self.revealed.add(key)

    def reveal_all(self) -> None:
        self.revealed |= self.hidden()

    def state(self, key: str) -> str:
        """ "hidden", "wrong" (entered, not right yet), "right" or "revealed"."""
        if key in self.solved:
            return "right"
        if key in self.revealed:
            return "revealed"
        return "wrong" if key in self.entries else "hidden"

    def score(self) -> str:
        """ "1/3 right first try · 1 revealed · 1 to go" (or "… · done")."""
        first = sum(1 for right in self.first_try.values() if right)
        parts = [f"{first}/{len(self.items)} right first try"]
        if self.revealed:
            parts.append(f"{len(self.revealed)} revealed")
        left = len(self.hidden())
        parts.append(f"{left} to go" if left else "done")
        return " · ".join(parts)

    # -- the layer table ------------------------------------------------------------------
    def table_key(self, row: int | None, column: str, rows: int) -> str | None:
        """The item a table cell shows (row None: the totals row), if it is one."""
        if row is None:
            key = TOTALS.get(column)
        elif column == "output_shape" and row == rows - 1 and "output_shape" in self.items:
            key = "output_shape"  # a summary task's "output shape" is the last layer's
        else:
            key = f"layers[{row}].{column}"
        return key if key in self.items else None

    def hides(self, group: str) -> bool:
        """Whether a value of `group` ("shape", "params", "field") is still to be answered."""
        return any(_group_of(key) == group for key in self.hidden())

    def concealed(self, row: int | None, column: str, rows: int) -> bool:
        """Whether a table cell must not be shown: a value still to answer, or a number that
        gives one away — a derived column (weights, jump…) while its row's value is hidden,
        and any cell of a group whose values are not all answered when it has no item."""
        group = GROUPS.get(column)
        if group is None:
            return False
        key = self.table_key(row, column, rows)
        if key is not None:
            return key in self.hidden()
        if column not in TABLE_COLUMNS:
            for partner in TABLE_COLUMNS:
                own = GROUPS[partner] == group and self.table_key(row, partner, rows)
                if own:
                    return own in self.hidden()
        return self.hides(group)


def _group_of(key: str) -> str | None:
    column = key.rsplit(".", 1)[-1]
    if column in ("total_params", "trainable_params"):
        return "params"
    if column == "total_macs":
        return "shape"
    return GROUPS.get(column)


def _task(kind: str, options: dict[str, Any], answer_for: str, title: str) -> Task:
    return Task(
        id=answer_for,
        title=title,
        text="",
        kind=kind,
        points=1,
        options={**options, "answer_for": answer_for},
        line=0,
    )


def layer_quiz(options: dict[str, Any], source: Any = None) -> CalcQuiz:
    """A quiz on every blank (None) value of one layer; options as `cnn-tui calc` takes them.
    A blank the solver cannot ask for alone (nothing fits) is left out of the quiz."""
    items, labels = {}, {}
    for name in LAYER_FIELDS:
        if name not in options or options[name] is not None:
            continue
        try:
            items[name] = solve_task(_task("calc", options, name, name))
        except UserError:
            continue
        labels[name] = name
    return CalcQuiz(items, labels, source)


def task_quiz(solved: SolvedTask, label: str, source: Any = None) -> CalcQuiz:
    """A quiz on a course task's one asked value."""
    return CalcQuiz(
        {str(solved.task.answer_for): solved}, {str(solved.task.answer_for): label}, source
    )


def table_quiz(table, options: dict[str, Any], asked: list[str] | None = None, source: Any = None):
    """A quiz on a layer table: the `asked` values (summary `answer_for` names), or every
    layer's output shape, parameters, receptive field and MACs and the totals."""
    from core.course.solve import summary_value

    if asked is None:
        asked = [
            f"layers[{index}].{column}"
            for index in range(len(table.rows))
            for column in TABLE_COLUMNS
        ] + ["total_params", "total_macs"]
    items, labels = {}, {}
    for key in asked:
        try:
            summary_value(table, key)  # a layer without a receptive field has none to ask
        except UserError:
            continue
        items[key] = summary_solved(_task("summary", options, key, key), table)
        labels[key] = table_label(table, key)
    return CalcQuiz(items, labels, source)


def table_label(table, key: str) -> str:
    """ "conv1 output shape", "total params"… (how the screen names a table value)."""
    names = {"receptive_field": "RF", "macs": "MACs", "total_macs": "total MACs"}
    column = key.rsplit(".", 1)[-1]
    column = names.get(column, column.replace("_", " "))
    if "[" not in key:
        return column
    row = table.rows[int(key.split("[")[1].split("]")[0])]
    return f"layer {row.name} ({row.type}) {column}"
