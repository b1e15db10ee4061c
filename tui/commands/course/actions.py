"""The `course` actions: each reads its files first and writes nothing when one is bad."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
from pathlib import Path

from core.course.kinds import PackError

MARKS = {"correct": "✓", "wrong": "✗", "not answered": "·", "unreadable": "!"}


def solved_pack(name_or_path: str, runs_dir: str | None = None):
    """A pack opened, its options read by the commands' parsers, every task solved."""
    from core.course.builtin import open_pack
    from core.course.solve import solve_pack
    from core.paths import runs_dir as runs_folder
    from tui.commands.course.cli_options import check_options

    pack = open_pack(name_or_path)
    check_options(pack)
    return pack, solve_pack(pack, runs_folder(runs_dir))


def run_list(args: argparse.Namespace) -> int:
    from core.course.builtin import builtin_names, builtin_pack

    packs = [builtin_pack(name) for name in builtin_names()]
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "name": p.name,
                        "title": p.title,
                        "tasks": len(p.tasks),
                        "points": p.max_points,
                    }
                    for p in packs
                ]
            )
        )
        return 0
    for pack in packs:
        print(
            f"{pack.name:<16} {pack.title}  ({len(pack.tasks)} tasks, {pack.max_points:g} points)"
        )
    print("\nOpen one in the app: cnn-tui --course NAME")
    return 0


def run_new(args: argparse.Namespace) -> int:
    from core.assets import DATA_DIR

    out = Path(args.out)
    if out.exists() and not args.force:
        raise PackError(f"{out} exists already; choose another name or add --force.")
    out.write_text((DATA_DIR / "course_template.toml").read_text(encoding="utf-8"), "utf-8")
    print(f"wrote {out}: fill it in, then run cnn-tui course validate {out}")
    return 0


def run_validate(args: argparse.Namespace) -> int:
    pack, solved = solved_pack(args.pack)
    if args.json:
        tasks = [
            {"id": t.id, "kind": t.kind, "points": t.points, "line": t.line} for t in pack.tasks
        ]
        print(json.dumps({"pack": pack.title, "valid": True, "tasks": tasks}))
        return 0
    print(f"{pack.source}: {pack.title} — {len(pack.tasks)} tasks, {pack.max_points:g} points")
    for task in pack.tasks:
        checked = "answer checked" if solved[task.id].judge else "marked done by the student"
        print(f"  {task.id:<18} {task.kind:<8} {task.points:>4g} pts  {checked}")
    print("valid: every task parses and is solvable")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from core.course.grading import Checker, load_answers

    pack, solved = solved_pack(args.pack, args.runs_dir)
    result = Checker(pack, solved).check(load_answers(args.answers))
    if args.json:
        print(
            json.dumps(
                {
                    "student": result.student,
                    "points": result.points,
                    "max_points": pack.max_points,
                    "tasks": [m.__dict__ for m in result.marks],
                    "unknown_tasks": list(result.unknown),
                }
            )
        )
        return 0
    print(f"{result.student}: {result.points:g} of {pack.max_points:g} points — {pack.title}")
    for mark in result.marks:
        line = f"  {MARKS[mark.status]} {mark.task:<18} {mark.points:g}/{mark.max_points:g}"
        print(f"{line}  {mark.status}" + (f": {mark.diagnosis}" if mark.diagnosis else ""))
    for task_id in result.unknown:
        print(f"  ? {task_id}: not a task of this pack (ignored)")
    return 0


def run_grade(args: argparse.Namespace) -> int:
    from core.course.grading import grade_folder

    pack, solved = solved_pack(args.pack, args.runs_dir)
    grading = grade_folder(pack, solved, args.folder)
    rows = grading.rows()
    common = grading.common_mistakes()
    if args.csv:
        _write_csv(Path(args.csv), rows)
    if args.json:
        print(
            json.dumps(
                {
                    "pack": pack.title,
                    "students": [
                        {
                            "student": r.student,
                            "file": r.source,
                            "points": r.points,
                            "unknown_tasks": list(r.unknown),
                            "error": r.error,
                        }
                        for r in grading.results
                    ],
                    "rows": rows,
                    "common_mistakes": common,
                }
            )
        )
        return 0
    print(f"{pack.title}: {len(grading.results)} answers files, {pack.max_points:g} points each")
    for result in grading.results:
        note = f"  unreadable: {result.error}" if result.error else ""
        if result.unknown:
            note += f"  unknown tasks: {', '.join(result.unknown)} (ignored)"
        print(f"  {result.student:<24} {result.points:>6g}{note}")
    print("\ncommon mistakes per task:")
    for task_id, lines in common.items():
        for line in lines:
            print(f"  {task_id}: {line}")
    if args.csv:
        print(f"\nwrote {len(rows)} rows to {args.csv}")
    return 0


def _write_csv(path: Path, rows: list[dict]) -> None:
    from core.paths import atomic_path

    buffer = io.StringIO()
    columns = ["student", "task", "points", "max_points", "status", "diagnosis", "file"]
    writer = csv.DictWriter(buffer, columns)
    writer.writeheader()
    writer.writerows(rows)
    with atomic_path(path) as temporary:
        temporary.write_text(buffer.getvalue(), encoding="utf-8")


def run_answers(args: argparse.Namespace) -> int:
    from core.course.builtin import open_pack
    from core.course.progress import answers_toml, load_progress, progress_file

    pack = open_pack(args.pack)
    progress = load_progress(pack)
    if not progress:
        raise PackError(
            f"No answers saved for {pack.title} yet ({progress_file(pack)}): open it with "
            f"cnn-tui --course {args.pack} and check your answers there first."
        )
    student = args.student or os.environ.get("USER") or "student"
    Path(args.out).write_text(answers_toml(pack, progress, student), encoding="utf-8")
    print(f"wrote {args.out}: {len(progress)} answers to {pack.title}, as {student}")
    return 0
