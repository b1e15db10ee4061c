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


OWN = "Conv2d(3, 4, 3, padding=1), ReLU(), Residual(Conv2d(4, 4, 3, padding=1), ReLU()), "
OWN += "AdaptiveAvgPool2d(2), Flatten(), Linear(16, 10)"


def test_a_task_naming_an_arch_grades_only_runs_of_that_network(tmp_path, capsys):
    runs = tmp_path / "runs"
    assert main(["train", "--arch", OWN, *TINY, "--epochs", "1", "--runs-dir", str(runs),
                 "--json"]) == 0  # fmt: skip
    run_id = Path(json.loads(capsys.readouterr().out)["run_dir"]).name
    task = '[[task]]\nid = "{id}"\nkind = "train"\narch = """{arch}"""\nmin_test_acc = 0\n\n'
    respaced = OWN.replace(", ", ",\n    ")  # the same network, typed over several lines
    other = OWN.replace("Conv2d(4, 4, 3, padding=1)", "Conv2d(4, 4, 5, padding=2)")
    pack = tmp_path / "sheet.toml"
    pack.write_text(
        task.format(id="own", arch=respaced) + task.format(id="other", arch=other)
        + task.format(id="lenet", arch="lenet5"),
        encoding="utf-8",
    )  # fmt: skip
    assert main(["course", "validate", str(pack)]) == 0
    capsys.readouterr()
    answers = tmp_path / "answers.toml"
    body = "".join(f'"{tid}" = "{run_id}"\n' for tid in ("own", "other", "lenet"))
    answers.write_text(f'student = "Ada"\n[answers]\n{body}', encoding="utf-8")
    args = ["course", "check", str(pack), str(answers), "--json", "--runs-dir", str(runs)]
    assert main(args) == 0
    marks = {t["task"]: t for t in json.loads(capsys.readouterr().out)["tasks"]}
    assert marks["own"]["status"] == "correct", marks["own"]
    for tid, name in (("other", "SPEC"), ("lenet", "lenet5")):
        assert marks[tid]["status"] == "wrong"
        assert f"not this task's architecture ({name})" in marks[tid]["diagnosis"]
        assert "cnn-tui train --arch" in marks[tid]["diagnosis"]


def test_a_task_whose_arch_does_not_fit_the_data_fails_validation_at_its_line(tmp_path, capsys):
    pack = tmp_path / "sheet.toml"
    pack.write_text(
        '[[task]]\nid = "ok"\nkind = "train"\npreset = "lenet5"\n\n'
        '[[task]]\nid = "c4"\nkind = "train"\narch = "Conv2d(3, 8, 3), Flatten(), Linear(7200, 7)"\n'
        "min_test_acc = 0.8\n",
        encoding="utf-8",
    )  # fmt: skip
    assert main(["course", "validate", str(pack)]) == 2
    err = capsys.readouterr().err
    assert "line 6, task 'c4'" in err and "10 classes" in err and "Traceback" not in err
