"""Read a pack: the `[course]` table and its `[[task]]`s, each checked against its kind's
options; every error names the file, the TOML line and the task id."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.course.kinds import KINDS, TASK_FIELDS, TRAIN_TARGETS, PackError, kind_of

_TASK_HEADER = re.compile(r"^\s*\[\[\s*task\s*\]\]")
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")


@dataclass(frozen=True)
class Task:
    """One task of a sheet: what the student is asked and the inputs its answer follows from."""

    id: str
    title: str
    text: str  # Markdown shown to the student
    kind: str  # a key of KINDS
    points: float
    options: dict[str, Any]  # the kind's options as the pack gives them
    line: int  # line of its [[task]] header
    target: dict[str, float] = field(default_factory=dict)  # train: min_test_acc, within_epochs
    lines: dict[str, int] = field(default_factory=dict)  # option → its TOML line

    def line_of(self, option: str) -> int:
        return self.lines.get(option, self.line)

    @property
    def answer_for(self) -> str | None:
        return self.options.get("answer_for")


@dataclass(frozen=True)
class Pack:
    """A course's sheet: title, the tasks in order, where it came from."""

    title: str
    text: str
    tasks: tuple[Task, ...]
    source: str  # the file, as given
    name: str  # a short name for the progress file: the file's stem

    def task(self, task_id: str) -> Task | None:
        return next((t for t in self.tasks if t.id == task_id), None)

    @property
    def max_points(self) -> float:
        return sum(t.points for t in self.tasks)


class _Locator:
    """TOML line numbers of tasks and of keys inside them (tomllib keeps no positions)."""

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.lines = text.splitlines()
        self.headers = [i + 1 for i, line in enumerate(self.lines) if _TASK_HEADER.match(line)]

    def task_line(self, index: int) -> int:
        return self.headers[index] if index < len(self.headers) else 1

    def key_line(self, index: int, key: str) -> int:
        start = self.task_line(index)
        end = self.headers[index + 1] if index + 1 < len(self.headers) else len(self.lines) + 1
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number in range(start, end):
            if pattern.match(self.lines[number - 1]):
                return number
        return start

    def error(self, line: int, message: str, task_id: str | None = None) -> PackError:
        where = f"{self.source}, line {line}"
        if task_id is not None:
            where += f", task {task_id!r}"
        return PackError(f"{where}: {message}")


def read_toml(path: str | Path) -> tuple[dict[str, Any], str]:
    """A TOML file's table and text; a missing file or bad syntax is a PackError naming the
    file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PackError(f"{path}: cannot read it ({error.__class__.__name__}: {error}).") from None
    return parse_toml(text, str(path)), text


def parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_LINE.search(str(error))
        line = found.group(1) if found else "?"
        message = _TOML_LINE.sub("", str(error)).strip()
        raise PackError(f"{source}, line {line}: not valid TOML: {message}.") from None


def load_pack(path: str | Path) -> Pack:
    """A pack from a file (parsed and checked; `solve_pack` proves each task solvable)."""
    data, text = read_toml(path)
    return parse_pack(data, text, str(path), Path(path).stem)


def parse_pack(data: dict[str, Any], text: str, source: str, name: str) -> Pack:
    where = _Locator(source, text)
    unknown = sorted(set(data) - {"course", "task"})
    if unknown:
        raise where.error(
            1, f"unknown table {unknown[0]!r}; a pack has [course] and [[task]] tables"
        )
    course = data.get("course", {})
    if not isinstance(course, dict) or not isinstance(course.get("title", ""), str):
        raise where.error(1, '[course] needs a title: title = "…"')
    tasks = data.get("task", [])
    if not isinstance(tasks, list) or not tasks:
        raise where.error(1, "a pack needs at least one [[task]] table")
    seen: dict[str, int] = {}
    parsed = []
    for index, raw in enumerate(tasks):
        task = _task(raw, index, where)
        if task.id in seen:
            raise where.error(
                task.line, f"the id is used twice (first on line {seen[task.id]})", task.id
            )
        seen[task.id] = task.line
        parsed.append(task)
    title = course.get("title") or name
    return Pack(title, str(course.get("text", "")), tuple(parsed), source, name)


def _task(raw: dict[str, Any], index: int, where: _Locator) -> Task:
    line = where.task_line(index)
    task_id = raw.get("id")
    if not isinstance(task_id, (str, int)) or not str(task_id).strip():
        raise where.error(line, f'task number {index + 1} needs an id, e.g. id = "1a"')
    task_id = str(task_id)
    try:
        kind = kind_of(raw.get("kind"))
    except PackError as error:
        raise where.error(where.key_line(index, "kind"), str(error), task_id) from None
    points = raw.get("points", 1)
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
        raise where.error(where.key_line(index, "points"), "points must be a number ≥ 0", task_id)
    options: dict[str, Any] = {}
    target: dict[str, float] = {}
    lines: dict[str, int] = {}
    for key, value in raw.items():
        if key in TASK_FIELDS:
            continue
        key_line = lines[key] = where.key_line(index, key)
        if kind.name == "train" and key in TRAIN_TARGETS:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise where.error(key_line, f"{key} must be a number", task_id)
            target[key] = value
            continue
        if key not in kind.options:
            valid = list(kind.options) + (list(TRAIN_TARGETS) if kind.name == "train" else [])
            raise where.error(
                key_line,
                f"unknown option {key!r} for kind {kind.name!r}; the options of "
                f"`cnn-tui {kind.command}` are: {', '.join(valid)}",
                task_id,
            )
        options[key] = _value(kind, key, value, key_line, task_id, where)
    return Task(
        task_id,
        str(raw.get("title", task_id)),
        str(raw.get("text", "")),
        kind.name,
        points,
        options,
        line,
        target,
        lines,
    )


def _value(kind, key: str, value: Any, line: int, task_id: str, where: _Locator) -> Any:
    if key in kind.flags:
        if not isinstance(value, bool):
            raise where.error(line, f"{key} is on or off: write true or false", task_id)
        return value
    scalar = (str, int, float)
    if key in kind.lists:
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, scalar) and not isinstance(v, bool) for v in values):
            raise where.error(line, f"{key} takes a value or a list of values", task_id)
        return values
    if isinstance(value, bool) or not isinstance(value, scalar):
        raise where.error(line, f"{key} takes one value (a number or a string)", task_id)
    return value


def kinds_help() -> str:
    """One line per kind: its options (for `course new` and the docs)."""
    return "\n".join(f"{name}: {', '.join(kind.options)}" for name, kind in KINDS.items())
