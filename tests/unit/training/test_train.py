"""Training engine: tiny real runs on Shapes-10 and the CIFAR-10 format, exact resume, failures."""

from __future__ import annotations

import math

import pytest
import torch

from core.data.datasets import write_cifar10_fixture
from core.runs.events import EventWriter, read_events
from core.runs.store import create_run
from core.training import checkpoint
from core.training.config import TrainConfig
from core.training.fit import fit
from core.training.state import load_splits

torch.set_num_threads(1)

TINY = dict(dataset="shapes", train_size=320, test_size=96, batch_size=32, epochs=2)


def tiny(preset, **changes):
    return TrainConfig.for_preset(preset, **{**TINY, **changes})


def events_of(config, **kwargs):
    return list(fit(config, **kwargs))


def metrics(events):
    keys = (
        "epoch",
        "step",
        "train_loss",
        "train_acc",
        "val_loss",
        "val_acc",
        "test_loss",
        "test_acc",
    )
    return [tuple(event[key] for key in keys) for event in events if event["kind"] == "epoch"]


def run_into(run_dir, config, stop=None):
    """What the worker does: write fit's events into the run directory."""
    writer = EventWriter(run_dir)
    for event in fit(config, run_dir, stop=stop):
        writer.write(event)
    writer.close()
    return read_events(run_dir)


def test_events_follow_the_contract():
    config = tiny("lenet5", val_split=0.25, eval_every=4)
    events = events_of(config)
    kinds = [event["kind"] for event in events]
    assert kinds[0] == "start" and kinds[-1] == "end"
    start = events[0]
    assert start["train_size"] == 240 and start["val_size"] == 80 and start["test_size"] == 96
    assert start["resumed_from_epoch"] == 0 and start["synthetic"] is True
    assert len(start["classes"]) == 10 and start["torch"] == torch.__version__
    assert start["steps_per_epoch"] == math.ceil(240 / 32)
    epochs = [event for event in events if event["kind"] == "epoch"]
    assert [event["epoch"] for event in epochs] == [1, 2]
    assert [event["step"] for event in epochs] == [8, 16]
    for event in epochs:
        assert 0 <= event["train_acc"] <= 1 and 0 <= event["val_acc"] <= 1
        assert event["train_loss"] > 0 and event["seconds"] > 0
    evals = [event for event in events if event["kind"] == "eval"]
    assert [event["step"] for event in evals] == [4, 8, 12, 16]
    assert all(event["split"] == "val" and 0 <= event["val_acc"] <= 1 for event in evals)
    steps = [event for event in events if event["kind"] == "step"]
    assert steps and all(event["step"] <= event["steps_per_epoch"] for event in steps)
    assert steps[-1]["global_step"] == 16 and steps[-1]["images_per_s"] > 0
    assert events[-1]["status"] == "finished"


def test_validation_split_is_disjoint_and_seeded():
    config = tiny("lenet5", val_split=0.2)
    splits = load_splits(config)
    train = {bytes(image) for image in splits.train.images}
    val = {bytes(image) for image in splits.val.images}
    assert len(splits.train) + len(splits.val) == 320 and not train & val
    again = load_splits(config)
    assert (again.val.labels == splits.val.labels).all()


def test_epoch_metrics_match_an_independent_evaluation(tmp_path):
    config = tiny("lenet5", epochs=1)
    run_dir = create_run(tmp_path, config.to_dict())
    events = run_into(run_dir, config)
    epoch = next(event for event in events if event["kind"] == "epoch")
    from core.models.zoo import build_model

    model = build_model("lenet5")
    model.load_state_dict(checkpoint.load(run_dir / "checkpoints" / "last.pt")["model"])
    model.eval()
    test = load_splits(config).test
    x = torch.from_numpy(test.images).permute(0, 3, 1, 2).float() / 255  # (N, 3, 32, 32)
    y = torch.from_numpy(test.labels)
    with torch.no_grad():
        logits = model(x)
    assert epoch["test_loss"] == pytest.approx(
        torch.nn.functional.cross_entropy(logits, y).item(), rel=1e-4
    )
    assert epoch["test_acc"] == pytest.approx((logits.argmax(1) == y).float().mean().item())


def test_seeded_runs_are_reproducible_and_seeds_differ():
    config = tiny("lenet5", augment=("flip", "crop"))
    first, second = metrics(events_of(config)), metrics(events_of(config))
    assert first == second
    assert metrics(events_of(config.with_changes(seed=1))) != first


@pytest.mark.parametrize("preset, pipeline", [("vgg-2x2-reg", "fast"), ("lenet5", "reference")])
def test_stop_then_resume_equals_an_uninterrupted_run(tmp_path, preset, pipeline):
    config = tiny(
        preset,
        epochs=3,
        augment=("flip", "crop"),
        val_split=0.2,
        pipeline=pipeline,
        schedule="onecycle",
    )
    straight = metrics(events_of(config))
    run_dir = create_run(tmp_path, config.to_dict())
    calls = {"n": 0}

    def stop_in_epoch_two():
        calls["n"] += 1
        # polled before each epoch and after every step but an epoch's last (8 steps each)
        return calls["n"] > 1 + 7 + 1 + 2

    first = run_into(run_dir, config, stop=stop_in_epoch_two)
    assert first[-1]["status"] == "stopped" and "step 3/8 of epoch 2" in first[-1]["message"]
    assert checkpoint.load(run_dir / "checkpoints" / "last.pt")["partial"]["step"] == 3
    events = run_into(run_dir, config)
    starts = [event for event in events if event["kind"] == "start"]
    assert [(e["resumed_from_epoch"], e["resumed_from_step"]) for e in starts] == [(0, 0), (1, 3)]
    assert metrics(events) == straight
    assert [event["seq"] for event in events] == list(range(len(events)))


def test_epoch_lost_between_checkpoint_and_event_is_written_on_resume(tmp_path):
    config = tiny("lenet5")
    run_dir = create_run(tmp_path, config.to_dict())
    writer = EventWriter(run_dir)
    for event in fit(config, run_dir):
        if event["kind"] == "epoch" and event["epoch"] == 2:
            break  # killed after saving epoch 2's checkpoint, before its event
        writer.write(event)
    writer.close()
    events = run_into(run_dir, config)
    assert [event["epoch"] for event in events if event["kind"] == "epoch"] == [1, 2]
    assert events[-1]["status"] == "finished"


def test_best_checkpoint_follows_validation_accuracy(tmp_path):
    config = tiny("lenet5", epochs=3, val_split=0.25)
    run_dir = create_run(tmp_path, config.to_dict())
    events = run_into(run_dir, config)
    epochs = [event for event in events if event["kind"] == "epoch"]
    best = max(epochs, key=lambda event: (event["val_acc"], -event["epoch"]))
    assert checkpoint.load(run_dir / "checkpoints" / "best.pt")["epoch"] == best["epoch"]
    last = checkpoint.load(run_dir / "checkpoints" / "last.pt")
    assert last["epoch"] == 3 and last["config"] == config.to_dict()


def test_non_finite_loss_fails_with_a_clear_message():
    config = tiny("lenet5", optimizer="sgd", lr=1e12, momentum=0.0)
    end = events_of(config)[-1]
    assert end["kind"] == "end" and end["status"] == "failed"
    assert "--lr" in end["message"] and ("nan" in end["message"] or "inf" in end["message"])


def test_early_stopping_ends_finished_before_the_last_epoch(monkeypatch):
    import core.training.fit

    monkeypatch.setattr(core.training.fit, "evaluate", lambda model, loader, criterion: (1.0, 0.5))
    events = events_of(tiny("lenet5", epochs=6, val_split=0.25, early_stop=2))
    epochs = [event["epoch"] for event in events if event["kind"] == "epoch"]
    assert epochs == [1, 2, 3]  # epoch 1 sets the best val loss; 2 and 3 fail to beat it
    assert events[-1]["status"] == "finished" and "Early stop" in events[-1]["message"]


def test_a_preset_learns_shapes10():
    config = TrainConfig.for_preset(
        "vgg-2x2-bn", dataset="shapes", train_size=1000, test_size=200, batch_size=32, epochs=2
    )
    last = metrics(events_of(config))[-1]
    assert last[7] > 0.25  # chance is 0.10


def test_trains_from_the_real_cifar10_format(tmp_path):
    write_cifar10_fixture(tmp_path, train_size=200, test_size=50)
    config = TrainConfig.for_preset(
        "lenet-8-16", dataset="cifar10", data_dir=str(tmp_path), epochs=1, batch_size=50
    )
    events = events_of(config)
    assert events[0]["dataset"] == "cifar10" and events[0]["synthetic"] is False
    assert events[0]["train_size"] + events[0]["val_size"] == 200
    assert events[0]["test_size"] == 50
    assert events[-1]["status"] == "finished"


def test_resnet_transfer_updates_only_layer4_and_fc(tmp_path):
    from torchvision.models import resnet18

    oracle = resnet18(weights=None)
    source = oracle.state_dict()
    weights = tmp_path / "resnet18.pth"
    torch.save(source, weights)
    config = tiny(
        "resnet18-transfer",
        epochs=1,
        train_size=64,
        test_size=32,
        resize=32,
        weights_file=str(weights),
    )
    run_dir = create_run(tmp_path / "runs", config.to_dict())
    events = run_into(run_dir, config)
    layer4 = sum(p.numel() for p in oracle.layer4.parameters())
    assert events[0]["trainable_parameters"] == layer4 + 512 * 10 + 10
    trained = checkpoint.load(run_dir / "checkpoints" / "last.pt")["model"]
    for name in ("conv1.weight", "layer1.0.conv1.weight", "layer3.1.conv2.weight"):
        torch.testing.assert_close(trained[name], source[name])
    assert not torch.equal(trained["layer4.1.conv2.weight"], source["layer4.1.conv2.weight"])
    assert trained["fc.weight"].shape == (10, 512)
