"""A train task's target checked against a real (tiny) run: the answer is the run's id."""

from __future__ import annotations

import json
from pathlib import Path

from tui.cli import main

TINY = ["--dataset", "shapes", "--train-size", "96", "--test-size", "32", "--batch-size", "32"]


def test_train_targets_are_checked_against_the_students_run(tmp_path, capsys):
    runs = tmp_path / "runs"
    assert main(["train", "--preset", "lenet5", *TINY, "--epochs", "2", "--runs-dir",
                 str(runs), "--name", "mine", "--json"]) == 0  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    best = max(epoch["test_acc"] for epoch in result["epochs"])
    run_id = Path(result["run_dir"]).name
    task = '[[task]]\nid = "{id}"\nkind = "train"\npreset = "lenet5"\ndataset = "{data}"\n'
    pack = tmp_path / "sheet.toml"
    pack.write_text(
        task.format(id="met", data="shapes") + f"min_test_acc = {max(best - 0.01, 0)}\n\n"
        + task.format(id="missed", data="shapes") + f"min_test_acc = {best + 0.01}\n"
        + "within_epochs = 2\n\n"
        + task.format(id="cifar", data="cifar10") + "min_test_acc = 0.1\n",
        encoding="utf-8",
    )  # fmt: skip
    answers = tmp_path / "answers.toml"
    body = "".join(f'"{tid}" = "{run_id}"\n' for tid in ("met", "missed", "cifar"))
    answers.write_text(f'student = "Ada"\n[answers]\n{body}', encoding="utf-8")
    args = ["course", "check", str(pack), str(answers), "--json", "--runs-dir", str(runs)]
    assert main(args) == 0
    marks = {t["task"]: t for t in json.loads(capsys.readouterr().out)["tasks"]}
    assert marks["met"]["status"] == "correct"
    assert marks["missed"]["status"] == "wrong"
    assert f"{best:.1%} (synthetic Shapes-10)" in marks["missed"]["diagnosis"]
    assert "the target is" in marks["missed"]["diagnosis"]
    assert "synthetic Shapes-10, not CIFAR-10" in marks["cifar"]["diagnosis"]
    answers.write_text('student = "Ada"\n[answers]\nmet = "nope"\n', encoding="utf-8")
    assert main(args) == 0
    marks = {t["task"]: t for t in json.loads(capsys.readouterr().out)["tasks"]}
    assert marks["met"]["status"] == "wrong" and "No run 'nope'" in marks["met"]["diagnosis"]


def test_target_text_names_the_data_it_applies_to():
    from core.course.pack import Task
    from core.course.train_target import target_text

    def text(**options):
        return target_text(Task("4", "", "", "train", 1.0, options, 1, {"min_test_acc": 0.75}))

    assert text(dataset="cifar10") == "≥ 75% test accuracy on CIFAR-10"
    assert "synthetic Shapes-10 (not a CIFAR-10 figure)" in text(dataset="shapes")
    assert "only for a CIFAR-10 run" in text()
