"""Answers files (`student = "…"` and an `[answers]` table: task id → the answer as typed in
the app), one student checked, a folder of students graded with the common mistakes per task."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.course.kinds import PackError
from core.course.pack import Pack, parse_toml, read_toml
from core.course.solve import CORRECT, NOT_ANSWERED, WRONG, Mark, SolvedTask

UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Answers:
    """One student's answers file."""

    student: str
    answers: dict[str, Any]  # task id → answer as typed
    source: str


@dataclass(frozen=True)
class StudentResult:
    """One student's marks, in pack order; `unknown` lists answers to ids the pack lacks."""

    student: str
    source: str
    marks: tuple[Mark, ...]
    unknown: tuple[str, ...] = ()
    error: str = ""  # the file could not be read: every task is marked unreadable

    @property
    def points(self) -> float:
        return sum(m.points for m in self.marks)


@dataclass
class Grading:
    """A folder graded: every student's result, and per task the most frequent diagnoses."""

    pack: Pack
    results: list[StudentResult] = field(default_factory=list)

    def common_mistakes(self, limit: int = 3) -> dict[str, list[str]]:
        """Task id → lines like "14 of 40: the bias subtracted instead of added"."""
        graded = [r for r in self.results if not r.error]
        out: dict[str, list[str]] = {}
        for index, task in enumerate(self.pack.tasks):
            counts = Counter(
                r.marks[index].diagnosis for r in graded if r.marks[index].status == WRONG
            )
            out[task.id] = [
                f"{n} of {len(graded)}: {diagnosis}" for diagnosis, n in counts.most_common(limit)
            ]
        return out

    def rows(self) -> list[dict[str, Any]]:
        """One row per student and task: student, task, points, max_points, status, diagnosis."""
        return [
            {
                "student": r.student,
                "file": r.source,
                "task": m.task,
                "points": m.points,
                "max_points": m.max_points,
                "status": m.status,
                "diagnosis": r.error or m.diagnosis,
            }
            for r in self.results
            for m in r.marks
        ]


def parse_answers(text: str, source: str) -> Answers:
    data = parse_toml(text, source)
    student = data.get("student")
    if not isinstance(student, str) or not student.strip():
        raise PackError(f'{source}, line 1: the answers file needs student = "your name"')
    answers = data.get("answers", {})
    if not isinstance(answers, dict):
        raise PackError(f"{source}: [answers] must be a table: task id = answer")
    lines = text.splitlines()
    for task_id, value in answers.items():
        if isinstance(value, (dict, list)):
            line = next(
                (i + 1 for i, row in enumerate(lines) if row.strip().startswith(f"{task_id}")), 1
            )
            raise PackError(
                f"{source}, line {line}, task {task_id!r}: an answer is one value as typed in "
                'the app: a number, a shape "32,17,17" or a matrix "1 0; 0 1"'
            )
    return Answers(student.strip(), dict(answers), source)


def load_answers(path: str | Path) -> Answers:
    _, text = read_toml(path)
    return parse_answers(text, str(path))


class Checker:
    """Checks answers against solved tasks, remembering verdicts: a class repeats answers."""

    def __init__(self, pack: Pack, solved: dict[str, SolvedTask]) -> None:
        self.pack = pack
        self.solved = solved
        self.memo: dict[tuple[str, str], Mark] = {}

    def check(self, answers: Answers) -> StudentResult:
        marks = []
        for task in self.pack.tasks:
            answer = answers.answers.get(task.id)
            key = (task.id, json.dumps(answer))
            if key not in self.memo:
                self.memo[key] = self.solved[task.id].check(answer)
            marks.append(self.memo[key])
        unknown = tuple(sorted(set(answers.answers) - {t.id for t in self.pack.tasks}))
        return StudentResult(answers.student, answers.source, tuple(marks), unknown)

    def unreadable(self, source: str, error: str) -> StudentResult:
        marks = tuple(Mark(t.id, UNREADABLE, 0, t.points, "") for t in self.pack.tasks)
        return StudentResult(Path(source).stem, source, marks, (), error)


def grade_folder(pack: Pack, solved: dict[str, SolvedTask], folder: str | Path) -> Grading:
    """Every *.toml answers file in `folder`, in name order; an unreadable one is reported in
    its rows and the others are graded."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PackError(f"{folder}: there is no such folder.")
    checker = Checker(pack, solved)
    grading = Grading(pack)
    for path in sorted(folder.glob("*.toml")):
        try:
            answers = load_answers(path)
        except PackError as error:
            grading.results.append(checker.unreadable(str(path), str(error)))
            continue
        grading.results.append(checker.check(answers))
    return grading


STATUSES = (CORRECT, WRONG, NOT_ANSWERED, UNREADABLE)
