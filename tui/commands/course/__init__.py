"""`cnn-tui course ACTION`: course packs for teaching assistants (list, new, validate, check,
grade) and the student's answers file (answers)."""

from __future__ import annotations

import argparse

NAME = "course"
HELP = "course packs: write a sheet as one file, check a student's answers, grade a folder"

EPILOG = """examples:
  cnn-tui course list
  cnn-tui course new --out sheet.toml
  cnn-tui course validate sheet.toml
  cnn-tui course check sheet.toml alice.toml
  cnn-tui course grade sheet.toml submissions/ --csv marks.csv
  cnn-tui course answers sheet.toml --out answers.toml      # the student's, from the app
PACK is a pack file or the name of a built-in pack (see course list)."""


def configure(parser: argparse.ArgumentParser) -> None:
    from tui.commands.course import actions

    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    sub = parser.add_subparsers(dest="course_action_name", metavar="ACTION", required=True)

    listing = sub.add_parser("list", help="the built-in packs")
    listing.add_argument("--json", action="store_true", help="print one JSON object")
    listing.set_defaults(course_action=actions.run_list)

    new = sub.add_parser("new", help="write a commented template pack to fill in")
    new.add_argument("--out", required=True, metavar="FILE", help="where to write it")
    new.add_argument("--force", action="store_true", help="replace an existing file")
    new.set_defaults(course_action=actions.run_new)

    validate = sub.add_parser("validate", help="check that every task parses and is solvable")
    validate.add_argument("pack", metavar="PACK")
    validate.add_argument("--json", action="store_true", help="print one JSON object")
    validate.set_defaults(course_action=actions.run_validate)

    check = sub.add_parser("check", help="check one student's answers file")
    check.add_argument("pack", metavar="PACK")
    check.add_argument("answers", metavar="ANSWERS.toml")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    add_runs_dir(check)
    check.set_defaults(course_action=actions.run_check)

    grade = sub.add_parser(
        "grade",
        help="grade every *.toml answers file in a folder",
        description="One row per student and task; per task the most frequent mistakes. "
        "Exit status 0 whenever grading succeeded, whatever the marks.",
    )
    grade.add_argument("pack", metavar="PACK")
    grade.add_argument("folder", metavar="DIR")
    grade.add_argument("--csv", metavar="FILE", help="also write the rows as CSV")
    grade.add_argument("--json", action="store_true", help="print one JSON object")
    add_runs_dir(grade)
    grade.set_defaults(course_action=actions.run_grade)

    answers = sub.add_parser("answers", help="write your answers file (from the app's progress)")
    answers.add_argument("pack", metavar="PACK")
    answers.add_argument("--out", required=True, metavar="FILE", help="where to write it")
    answers.add_argument("--student", metavar="NAME", help="your name (default: $USER)")
    answers.set_defaults(course_action=actions.run_answers)


def add_runs_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--runs-dir",
        metavar="DIR",
        help="where the runs named in train tasks' answers are (default: $CNN_TUI_RUNS, "
        "else ./runs)",
    )


def run(args: argparse.Namespace) -> int:
    return args.course_action(args)
