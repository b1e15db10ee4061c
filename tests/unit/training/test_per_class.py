"""Per-class accuracy and the confusion matrix of each epoch, against a recount of the saved
model's own predictions, and their exports (CSV, PNG) and Monitor text."""

from __future__ import annotations

import csv

import torch
from PIL import Image
from rich.text import Text

from core.models.zoo import build_model
from core.runs.classes import class_results
from core.runs.events import EventWriter, read_events
from core.runs.export import ExportRun, export_runs
from core.runs.store import create_run
from core.training import checkpoint
from core.training.config import TrainConfig
from core.training.fit import fit
from core.training.state import load_splits
from screens.monitor.view import details_text, per_class_accuracy
from tui.run_watch import RunSnapshot

torch.set_num_threads(1)


def test_per_class_accuracy_equals_a_recount_of_the_predictions(tmp_path):
    config = TrainConfig.for_preset(
        "lenet5", dataset="shapes", train_size=320, test_size=96, batch_size=32, epochs=1
    )
    run_dir = create_run(tmp_path, config.to_dict())
    writer = EventWriter(run_dir)
    for event in fit(config, run_dir):
        writer.write(event)
    writer.close()
    events = read_events(run_dir)
    epoch = next(event for event in events if event["kind"] == "epoch")
    model = build_model("lenet5")
    model.load_state_dict(checkpoint.load(run_dir / "checkpoints" / "last.pt")["model"])
    model.eval()
    test = load_splits(config).test
    x = torch.from_numpy(test.images).permute(0, 3, 1, 2).float() / 255  # (N, 3, 32, 32)
    with torch.no_grad():
        predicted = model(x).argmax(1).tolist()
    counts = [[0] * 10 for _ in range(10)]
    for truth, guess in zip(test.labels.tolist(), predicted):  # an independent plain loop
        counts[truth][guess] += 1
    assert epoch["per_class_split"] == "test"
    assert epoch["confusion"] == counts
    for label in range(10):
        seen = [guess for truth, guess in zip(test.labels.tolist(), predicted) if truth == label]
        expected = sum(guess == label for guess in seen) / len(seen) if seen else None
        assert epoch["per_class_acc"][label] == expected
    assert sum(counts[i][i] for i in range(10)) / len(predicted) == epoch["test_acc"]

    written = export_runs([ExportRun(run_dir.name, config.to_dict(), events)], tmp_path / "out")
    names = [path.name for path in written]
    assert f"{run_dir.name}-classes.csv" in names and f"{run_dir.name}-confusion.png" in names
    with open(tmp_path / "out" / f"{run_dir.name}-classes.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 10 and {row["dataset"] for row in rows} == {"Shapes-10 (synthetic)"}
    for label, row in enumerate(rows):
        assert [int(row[f"predicted_{j}"]) for j in range(10)] == counts[label]
        assert row["true_class"] == events[0]["classes"][label]
    png = (tmp_path / "out" / f"{run_dir.name}-confusion.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    with Image.open(tmp_path / "out" / f"{run_dir.name}-confusion.png") as image:
        assert image.text["Title"] == "confusion matrix · Shapes-10 (synthetic)"
    with open(tmp_path / "out" / f"{run_dir.name}.csv", newline="") as stream:
        assert {row["dataset"] for row in csv.DictReader(stream)} == {"Shapes-10 (synthetic)"}
    with Image.open(tmp_path / "out" / f"{run_dir.name}.png") as image:
        assert "synthetic" in image.text["Title"]

    run = RunSnapshot(run_dir.name, run_dir, config.to_dict(), tuple(events), "finished", "", 0, 0)
    assert per_class_accuracy(run) == list(zip(events[0]["classes"], epoch["per_class_acc"]))
    text = Text.from_markup(details_text(run)).plain.splitlines()
    first = text.index("confusion matrix (test split, epoch 1; rows true, columns predicted):")
    for label, line in enumerate(text[first + 2 : first + 12]):
        assert [int(n) for n in line.split()[2:]] == counts[label]


def test_confusion_from_events_skips_malformed_matrices():
    events = [
        {"kind": "start", "classes": ["a", "b"]},
        {"kind": "epoch", "epoch": 1, "confusion": [[1, 2], [3]]},
        {"kind": "epoch", "epoch": 2, "confusion": [[1, "x"], [0, 1]]},
        {"kind": "epoch", "epoch": 3, "confusion": [[3, 1], [0, 0]]},
    ]
    (result,) = class_results(events)
    assert result.epoch == 3 and result.classes == ("a", "b")
    assert result.accuracy == [0.75, None]
