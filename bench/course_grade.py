"""Grading speed: 200 students × 20 tasks with `cnn-tui course grade`, against a 10 s target.

Usage: python bench/course_grade.py [--students 200] [--seed 0]
Builds a 20-task pack from the built-in sheets (8 convolutions, 7 size calculations, 5 layer
tables), writes one answers file per student (60 % right, 20 % a common mistake, 20 % a wrong
answer of their own), grades the folder end to end (reading, solving, checking, CSV) and
prints the time per answer, beside the same grading with no reuse of repeated answers.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_S = 10.0


def build_pack(folder: Path) -> Path:
    a = (ROOT / "data/packs/a-convolution.toml").read_text(encoding="utf-8")
    b = (ROOT / "data/packs/b-shapes.toml").read_text(encoding="utf-8")
    blocks = [block for block in a.split("[[task]]")[1:] if 'kind = "conv"' in block]
    calc = [block for block in b.split("[[task]]")[1:] if 'kind = "calc"' in block]
    summary = [
        block
        for block in b.split("[[task]]")[1:]
        if 'kind = "summary"' in block and "resnet18" not in block
    ][:5]
    body = "".join("[[task]]" + block.rstrip() + "\n\n" for block in blocks + calc + summary)
    pack = folder / "bench-sheet.toml"
    pack.write_text('[course]\ntitle = "Bench sheet (20 tasks)"\n\n' + body, encoding="utf-8")
    return pack


def wrong_variant(text: str, rng: random.Random) -> str:
    """The right answer with one number changed (a matrix cell or the number itself)."""
    tokens = text.replace(";", " ; ").split()
    spots = [i for i, t in enumerate(tokens) if t not in (";", "|", "or")]
    spot = rng.choice(spots)
    tokens[spot] = str(rng.randint(-9, 99))
    return " ".join(tokens).replace(" ; ", "; ").split(" or ")[0]


def write_answers(pack_path: Path, folder: Path, students: int, seed: int) -> int:
    from core.course.pack import load_pack
    from core.course.solve import solve_pack

    pack = load_pack(pack_path)
    solved = solve_pack(pack)
    rng = random.Random(seed)
    common = {
        tid: [wrong_variant(s.answer_text, rng) for _ in range(3)] for tid, s in solved.items()
    }
    for n in range(students):
        lines = [f'student = "student-{n:03d}"', "", "[answers]"]
        for task_id, task in solved.items():
            draw = rng.random()
            right = task.answer_text.split(" or ")[0]
            answer = (
                right
                if draw < 0.6
                else rng.choice(common[task_id])
                if draw < 0.8
                else wrong_variant(task.answer_text, rng)
            )
            lines.append(f'"{task_id}" = "{answer}"')
        (folder / f"student-{n:03d}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(solved)


def grade(pack: Path, folder: Path, csv_path: Path) -> float:
    from tui.cli import main

    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["course", "grade", str(pack), str(folder), "--csv", str(csv_path)])
    elapsed = time.perf_counter() - start
    assert code == 0, code
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import core.course.grading as grading
    import core.course.solve  # noqa: F401  (imported before timing, as the CLI would)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pack = build_pack(tmp)
        answers = tmp / "answers"
        answers.mkdir()
        tasks = write_answers(pack, answers, args.students, args.seed)
        total = tasks * args.students
        grade(pack, answers, tmp / "warm.csv")  # imports torch etc. once, like a second run
        timed = grade(pack, answers, tmp / "marks.csv")
        original = grading.Checker.check

        def no_reuse(self, answers_file):
            self.memo.clear()
            return original(self, answers_file)

        grading.Checker.check = no_reuse
        cold = grade(pack, answers, tmp / "cold.csv")
        grading.Checker.check = original
    print(f"{args.students} students × {tasks} tasks = {total} answers")
    print(f"course grade:          {timed:6.2f} s  {timed / total * 1e3:7.3f} ms per answer")
    print(f"  without answer reuse: {cold:6.2f} s  {cold / total * 1e3:7.3f} ms per answer")
    print(
        f"target {TARGET_S:g} s: {timed / TARGET_S:.2f} of it used "
        f"({'met' if timed < TARGET_S else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
