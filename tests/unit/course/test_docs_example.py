"""The complete example of docs/COURSE_PACKS.md validates, and its answers file is graded: the
documented answers are right (checked against PyTorch where they are numbers of a network)."""

from __future__ import annotations

import re
from pathlib import Path

from torch import nn

from core.course.grading import Checker, parse_answers
from core.course.pack import load_pack
from core.course.solve import solve_pack

DOC = Path(__file__).resolve().parents[3] / "docs" / "COURSE_PACKS.md"


def _blocks() -> list[str]:
    return re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_documented_pack_validates_and_its_answers_are_right(tmp_path):
    pack_text, answers_text = _blocks()
    path = tmp_path / "sheet.toml"
    path.write_text(pack_text, encoding="utf-8")
    pack = load_pack(path)
    solved = solve_pack(pack, runs_dir=tmp_path / "runs")  # the run "4" names is not there
    result = Checker(pack, solved).check(parse_answers(answers_text, "answers.toml"))
    statuses = {m.task: m.status for m in result.marks}
    assert statuses == {
        "1a": "correct", "1b": "correct", "2a": "correct", "3b": "correct",
        "3c": "correct", "4": "wrong", "5": "correct",
    }  # fmt: skip
    net = nn.Sequential(
        nn.Conv2d(3, 32, 5, padding=2), nn.Conv2d(32, 64, 5, padding=2), nn.Linear(4096, 10)
    )
    assert solved["3b"].answer_text == str(sum(p.numel() for p in net.parameters()))


def test_the_cli_validates_the_documented_pack(tmp_path, capsys):
    from tui.cli import main

    path = tmp_path / "sheet.toml"
    path.write_text(_blocks()[0], encoding="utf-8")
    assert main(["course", "validate", str(path)]) == 0
