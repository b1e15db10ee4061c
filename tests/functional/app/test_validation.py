"""Bad values are refused before anything is written: a message with the accepted range or
the fix, exit code 2, no traceback and no run folder left behind."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from tests.helpers.bounded import refused

TRAIN = ("train", "--preset", "lenet5", "--dataset", "shapes", "--epochs", "1")


@pytest.fixture
def runs(tmp_path):
    return tmp_path / "runs"


def test_numbers_and_names_of_a_run_are_checked_first(capsys, runs):
    base = (*TRAIN, "--train-size", "64", "--runs-dir", str(runs))
    assert "0..4294967295" in refused(capsys, *base, "--seed", "-1")
    assert "at most 64 characters" in refused(capsys, *base, "--name", "n" * 300)
    assert "at most 65,536" in refused(capsys, *base, "--batch-size", "100000000")
    assert not runs.exists()


def test_a_file_named_as_the_runs_folder_is_refused(capsys, tmp_path):
    file = tmp_path / "afile"
    file.write_text("x")
    assert "is a file, not a folder" in refused(capsys, *TRAIN, "--runs-dir", str(file))
    assert "is a file, not a folder" in refused(capsys, "runs", "ls", "--runs-dir", str(file))
    assert "is a file" in refused(capsys, "--runs-dir", str(file))
    assert file.read_text() == "x"


def test_unknown_theme_is_refused_before_the_app_opens(capsys):
    assert "no theme 'bogus'" in refused(capsys, "--theme", "bogus")


def test_run_ids_are_resolved_only_inside_the_runs_folder(capsys, tmp_path):
    from core.runs.store import create_run

    inside, outside = tmp_path / "runs", tmp_path / "elsewhere"
    create_run(inside, {"preset": "lenet5"}, name="mine")
    stranger = create_run(outside, {"preset": "lenet5"}, name="theirs")
    folder = ("--runs-dir", str(inside))
    for action in ("show", "stop", "resume", "export"):
        for ref in (str(stranger), f"../elsewhere/{stranger.name}", ".."):
            assert "not a run id" in refused(capsys, "runs", action, ref, *folder)
    assert not (stranger / "control" / "stop").exists()


def _corrupt(folder, batch: str, change) -> None:
    path = folder / "cifar-10-batches-py" / batch
    entry = pickle.loads(path.read_bytes(), encoding="latin1")
    change(entry)
    path.write_bytes(pickle.dumps(entry, protocol=2))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda entry: entry.__setitem__("labels", [12] * len(entry["labels"])), "0..9"),
        (lambda entry: entry.__setitem__("labels", entry["labels"][:3]), "but 3 labels"),
        (lambda entry: entry.__setitem__("data", np.zeros((10, 7), np.uint8)), "layout"),
    ],
    ids=["labels-above-9", "10-images-3-labels", "wrong-shape"],
)
def test_a_corrupt_cifar10_folder_is_found_before_the_run_folder_exists(
    capsys, tmp_path, runs, change, expected
):
    from core.data.datasets import write_cifar10_fixture

    data = tmp_path / "data"
    write_cifar10_fixture(data, train_size=50, test_size=10)
    _corrupt(data, "test_batch", change)
    message = refused(
        capsys, *TRAIN[:3], "--dataset", "cifar10", "--data-dir", str(data), "--runs-dir", str(runs)
    )
    assert expected in message and "cnn-tui data fetch cifar10" in message
    assert not runs.exists()


def test_garbage_class_names_are_refused(capsys, tmp_path, runs):
    from core.data.datasets import write_cifar10_fixture

    data = tmp_path / "data"
    folder = write_cifar10_fixture(data, train_size=50, test_size=10)
    (folder / "batches.meta").write_bytes(pickle.dumps({"label_names": ["a", "a"]}, protocol=2))
    message = refused(
        capsys, *TRAIN[:3], "--dataset", "cifar10", "--data-dir", str(data), "--runs-dir", str(runs)
    )
    assert "not distinct names" in message
    assert not runs.exists()


@pytest.mark.parametrize(
    ("field", "text", "expected"),
    [
        ("seed", "-1", "0..4294967295"),
        ("seed", "9" * 5000, "a whole number"),
        ("batch_size", "100000000", "at most 65,536"),
        ("lr", "nan", "positive number"),
        ("train_size", "0", "1 or more"),
    ],
)
def test_train_form_fields_say_their_range(field, text, expected):
    from core.training.config import TrainConfig
    from screens.train.form import form_values, parse_form

    values = form_values(TrainConfig.for_preset("lenet5", dataset="shapes"))
    parsed = parse_form({**values, field: text}, {"preset": "lenet5"})
    assert parsed.config is None
    assert expected in (parsed.error or " ".join(parsed.field_errors.values()))


def test_export_into_a_file_is_refused(capsys, tmp_path):
    import json

    from core.runs.store import create_run

    run = create_run(tmp_path / "runs", {"preset": "lenet5"}, name="r")
    epoch = {"seq": 0, "time": 1.0, "kind": "epoch", "epoch": 1, "train_loss": 1.0}
    (run / "events.jsonl").write_text(json.dumps({**epoch, "train_acc": 0.5}) + "\n")
    file = tmp_path / "afile"
    file.write_text("x")
    message = refused(
        capsys, "runs", "export", run.name, "--runs-dir", str(run.parent), "--out", str(file)
    )
    assert "is a file, not a folder" in message and file.read_text() == "x"


def test_garbage_config_and_checkpoint_are_told_plainly(capsys, tmp_path):
    from core.runs.store import create_run

    runs = tmp_path / "runs"
    listed = create_run(runs, {"preset": "lenet-8-16"}, name="listed")
    (listed / "config.json").write_text("[1, 2]")
    assert "holds a list, not a run's settings" in refused(
        capsys, "scratch", "--run", listed.name, "--runs-dir", str(runs)
    )
    broken = create_run(runs, {"preset": "lenet-8-16", "dataset": "shapes"}, name="broken")
    (broken / "config.json").write_text('{"preset": "lenet-8-16", "dataset"')
    assert "is not readable JSON" in refused(
        capsys, "scratch", "--run", broken.name, "--runs-dir", str(runs)
    )
    garbage = create_run(runs, {"preset": "lenet-8-16", "dataset": "shapes"}, name="garbage")
    (garbage / "checkpoints" / "best.pt").write_bytes(b"not a checkpoint at all")
    assert "is not a readable checkpoint" in refused(
        capsys, "scratch", "--run", garbage.name, "--runs-dir", str(runs)
    )


def test_layer_arguments_pytorch_refuses_are_refused(capsys):
    spec = "Flatten(), Linear(3072, 10), "
    message = refused(capsys, "summary", spec + "Dropout(p=2.0)", "--input", "3,32,32")
    assert "between 0 and 1" in message
    message = refused(capsys, "summary", spec + "Softmax(dim=5)", "--input", "3,32,32")
    assert "from -2 to 1" in message
