"""`cnn-tui course`: a teaching assistant validates a sheet, checks one student, grades a folder
into CSV with the common mistakes; answers are judged against PyTorch, bad input exits 2."""

from __future__ import annotations

import csv
import json

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from core.course.builtin import open_pack
from core.course.progress import record
from tui.cli import main

X = [
    [1, 0, 0, 1, 1, 0],
    [0, 1, 0, 0, 0, 1],
    [0, 0, 1, 1, 0, 0],
    [1, 0, 0, 0, 1, 0],
    [1, 0, 0, 0, 0, 1],
]
PACK = """[course]
title = "Sheet 4"

[[task]]
id = "1a"
title = "Convolution with stride 1"
kind = "conv"
points = 2
input = "1 0 0 1 1 0; 0 1 0 0 0 1; 0 0 1 1 0 0; 1 0 0 0 1 0; 1 0 0 0 0 1"
kernel = ["1 0; 0 1", "1 0; 1 0", "1 1; 0 0"]
bias = [-1]
activation = "relu"
answer_for = "output"
answer_kernel = 1

[[task]]
id = "1b"
kind = "conv"
input = "1 2 0 3 1; 0 1 2 1 2; 3 0 1 2 0; 1 1 0 2 1; 2 0 1 1 3"
kernel = ["1 0; -1 2"]
bias = [-1]
activation = "relu"
pool = "max"
target = "1 0; 0 2"
answer_for = "grad_input"

[[task]]
id = "2a"
kind = "calc"
in = 32
kernel = 4
stride = 2
padding = 2
answer_for = "out"

[[task]]
id = "3b"
kind = "summary"
spec = "Conv2d(3, 32, 4, stride=2, padding=2), ReLU(), Flatten(), Linear(9248, 10)"
input = "3,32,32"
answer_for = "total_params"

[[task]]
id = "5"
kind = "explain"
image = "chelsea"
method = "gradcam"
"""


def _matrix(tensor) -> str:
    return "; ".join(" ".join(f"{v:g}" for v in row.tolist()) for row in tensor)


def _oracle() -> dict[str, str]:
    """The right answers, computed with PyTorch (autograd for the gradient)."""
    x = torch.tensor(X, dtype=torch.float64)[None, None]
    w = torch.tensor([[1.0, 0], [0, 1]], dtype=torch.float64)[None, None]
    out = F.relu(F.conv2d(x, w, torch.tensor([-1.0], dtype=torch.float64)))[0, 0]
    x2 = torch.tensor(
        [[1, 2, 0, 3, 1], [0, 1, 2, 1, 2], [3, 0, 1, 2, 0], [1, 1, 0, 2, 1], [2, 0, 1, 1, 3]],
        dtype=torch.float64,
    )[None, None].requires_grad_()
    w2 = torch.tensor([[1.0, 0], [-1, 2]], dtype=torch.float64)[None, None]
    o = F.max_pool2d(F.relu(F.conv2d(x2, w2, torch.tensor([-1.0], dtype=torch.float64))), 2)
    ((o[0, 0] - torch.tensor([[1.0, 0], [0, 2]], dtype=torch.float64)) ** 2).mean().backward()
    size = F.conv2d(torch.zeros(1, 1, 32, 32), torch.zeros(1, 1, 4, 4), stride=2, padding=2)
    net = nn.Sequential(nn.Conv2d(3, 32, 4, stride=2, padding=2), nn.Linear(9248, 10))
    return {
        "1a": _matrix(out),
        "1b": _matrix(x2.grad[0, 0]),  # decimals: 1.5, -2.5, …
        "2a": str(size.shape[-1]),
        "3b": str(sum(p.numel() for p in net.parameters())),
        "5": "done",
    }


def _answers(student: str, answers: dict[str, str]) -> str:
    body = "\n".join(f'"{k}" = "{v}"' for k, v in answers.items())
    return f'student = "{student}"\n\n[answers]\n{body}\n'


@pytest.fixture
def sheet(tmp_path):
    pack = tmp_path / "sheet.toml"
    pack.write_text(PACK, encoding="utf-8")
    right = _oracle()
    subtracted = _matrix(
        F.relu(F.conv2d(torch.tensor(X, dtype=torch.float64)[None, None],
                        torch.tensor([[1.0, 0], [0, 1]], dtype=torch.float64)[None, None],
                        torch.tensor([1.0], dtype=torch.float64)))[0, 0]
    )  # fmt: skip
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "alice.toml").write_text(_answers("Alice", right))
    bob = right | {"1a": subtracted, "2a": str(int(right["2a"]) - 2), "9z": "3"}
    (folder / "bob.toml").write_text(_answers("Bob", bob))
    (folder / "carol.toml").write_text(_answers("Carol", {"1a": subtracted, "3b": "1"}))
    (folder / "dave.toml").write_text('student = "Dave"\n[answers]\n"1a" = \n')
    return pack, folder, right


def test_validate_lists_the_tasks(sheet, capsys):
    assert main(["course", "validate", str(sheet[0])]) == 0
    out = capsys.readouterr().out
    assert "5 tasks" in out and "valid" in out


def test_check_one_student_as_json(sheet, capsys):
    pack, folder, _ = sheet
    assert main(["course", "check", str(pack), str(folder / "bob.toml"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    status = {t["task"]: t["status"] for t in report["tasks"]}
    assert status == {
        "1a": "wrong",
        "1b": "correct",
        "2a": "wrong",
        "3b": "correct",
        "5": "correct",
    }
    assert report["points"] == 1 + 1 + 1 and report["max_points"] == 6
    assert report["unknown_tasks"] == ["9z"]
    diagnosis = {t["task"]: t["diagnosis"] for t in report["tasks"]}
    assert "subtract" in diagnosis["1a"].lower() and "padding" in diagnosis["2a"]


def test_grade_a_folder_into_csv_with_common_mistakes(sheet, capsys, tmp_path):
    pack, folder, _ = sheet
    out_csv = tmp_path / "marks.csv"
    assert main(["course", "grade", str(pack), str(folder), "--csv", str(out_csv)]) == 0
    text = capsys.readouterr().out
    assert "2 of 3:" in text and "unreadable" in text and "9z" in text
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert len(rows) == 4 * 5
    assert {r["student"] for r in rows} == {"Alice", "Bob", "Carol", "dave"}
    alice = {r["task"]: (r["status"], float(r["points"])) for r in rows if r["student"] == "Alice"}
    assert all(status == "correct" for status, _ in alice.values())
    carol = {r["task"]: r["status"] for r in rows if r["student"] == "Carol"}
    assert carol["1b"] == "not answered" and carol["3b"] == "wrong"
    dave = [r for r in rows if r["student"] == "dave"]
    assert all(r["status"] == "unreadable" and "line 3" in r["diagnosis"] for r in dave)


def test_grade_json_summary(sheet, capsys):
    pack, folder, _ = sheet
    assert main(["course", "grade", str(pack), str(folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["common_mistakes"]["1a"][0].startswith("2 of 3: ")
    assert {s["student"]: s["points"] for s in report["students"]}["Alice"] == 6


@pytest.mark.parametrize(
    "change,words",
    [
        (('kind = "calc"', 'kind = "quiz"'), ["line 29", "'2a'", "conv, calc, summary, train"]),
        (("in = 32", "inn = 32"), ["line 30", "'2a'", "in, out, kernel"]),
        (('method = "gradcam"', 'method = "cam"'), ["line 47", "'5'", "invalid choice"]),
        (("[[task]]", "[[task]"), ["line 4", "not valid TOML"]),
    ],
)
def test_a_bad_pack_exits_2_and_writes_nothing(sheet, capsys, tmp_path, change, words):
    pack, folder, _ = sheet
    pack.write_text(PACK.replace(*change, 1), encoding="utf-8")
    out_csv = tmp_path / "marks.csv"
    assert main(["course", "grade", str(pack), str(folder), "--csv", str(out_csv)]) == 2
    error = capsys.readouterr().err
    assert "sheet.toml" in error and all(w in error for w in words), error
    assert not out_csv.exists()


def test_new_writes_a_template_that_validates(tmp_path, capsys):
    out = tmp_path / "new.toml"
    assert main(["course", "new", "--out", str(out)]) == 0
    assert main(["course", "validate", str(out)]) == 0
    assert main(["course", "new", "--out", str(out)]) == 2  # never overwritten silently


def test_list_names_the_builtin_packs(capsys):
    assert main(["course", "list", "--json"]) == 0
    names = [p["name"] for p in json.loads(capsys.readouterr().out)]
    assert names == ["a-convolution", "b-shapes", "c-training", "d-explain"]


def test_answers_file_from_the_progress(sheet, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    pack_file, _, right = sheet
    out = tmp_path / "mine.toml"
    assert main(["course", "answers", str(pack_file), "--out", str(out)]) == 2
    assert not out.exists()
    pack = open_pack(pack_file)
    record(pack, "1a", right["1a"], True)
    record(pack, "2a", "15", False)
    assert main(["course", "answers", str(pack_file), "--out", str(out), "--student", "Eve"]) == 0
    capsys.readouterr()
    assert main(["course", "check", str(pack_file), str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["student"] == "Eve" and report["points"] == 2
    assert [t["status"] for t in report["tasks"]][:3] == ["correct", "not answered", "wrong"]
