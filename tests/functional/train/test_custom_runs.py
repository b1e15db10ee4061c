"""Own networks after training: a SPEC with a Residual block and a Python-file class each stop
mid-epoch and resume (`runs resume`) to the numbers of an uninterrupted run, are explained with
Grad-CAM (core and CLI), go through the Scratch lab (SPEC) or are refused with a reason (Python
file), and train in a `sweep --arch`."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
import torch

from core.cluster.sweep import sweep_results
from core.explain.recipe import Recipe, explain
from core.runs.events import read_events
from core.runs.store import create_run
from core.training.config import TrainConfig
from core.training.restore import load_run_model
from tests.functional.train.test_custom_arch_cli import NET
from tests.unit.training.test_train import run_into
from tui.cli import main

RESIDUAL = (
    "Conv2d(3, 8, 3, padding=1), ReLU(), "
    "Residual(Conv2d(8, 16, 3, stride=2, padding=1), BatchNorm2d(16), ReLU(), "
    "Conv2d(16, 16, 3, padding=1), shortcut=Sequential(Conv2d(8, 16, 1, stride=2))), "
    "AdaptiveAvgPool2d(2), Flatten(), Linear(64, 10)"
)
TINY = dict(dataset="shapes", train_size=128, test_size=32, batch_size=32, epochs=1, device="cpu")
KEYS = ("epoch", "step", "train_loss", "train_acc", "test_loss", "test_acc")


def metrics(events):
    return [tuple(e[key] for key in KEYS) for e in events if e["kind"] == "epoch"]


def new_run(runs, fields: dict, name: str):
    """A run folder of `fields`' network, its Python file copied in as a launch does."""
    from core.models.architecture import attach
    from core.runs.store import write_json_atomic

    config = TrainConfig.for_preset(None, **TINY, **fields).validate()
    run_dir = create_run(runs, config.to_dict(), name=name)
    attached = attach(config.to_dict(), run_dir)
    write_json_atomic(run_dir / "config.json", attached)
    return run_dir, TrainConfig.from_dict(attached)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Per network: a run trained straight through and one stopped at step 3/4 of epoch 1."""
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("custom")
    net = root / "net.py"
    net.write_text(NET)
    runs = root / "runs"
    archs = {
        "spec": {"arch": RESIDUAL, "arch_name": "tiny-res"},
        "python": {"arch_file": str(net), "arch_class": "Net", "arch_name": "net.py:Net"},
    }
    out = {"root": root, "net": net, "runs": runs}
    for kind, fields in archs.items():
        straight_dir, config = new_run(runs, fields, f"{kind}-straight")
        straight = run_into(straight_dir, config)
        assert straight[-1]["status"] == "finished", straight[-1]
        stopped_dir, config = new_run(runs, fields, f"{kind}-stopped")
        calls = {"n": 0}

        def stop_at_step_two(calls=calls):
            calls["n"] += 1  # polled before the epoch and after each step but the last
            return calls["n"] > 1 + 2

        first = run_into(stopped_dir, config, stop=stop_at_step_two)
        assert first[-1]["status"] == "stopped", first[-1]
        assert "step 3/4 of epoch 1" in first[-1]["message"]
        out[kind] = (straight_dir, stopped_dir, metrics(straight))
    return out


@pytest.mark.parametrize("kind", ["spec", "python"])
def test_runs_resume_after_a_stop_gives_the_uninterrupted_numbers(trained, kind, capsys):
    straight_dir, stopped_dir, expected = trained[kind]
    trained["net"].write_text("this is no longer Python (")  # the run keeps its own copy
    try:
        argv = ["runs", "resume", stopped_dir.name, "--foreground"]
        assert main([*argv, "--runs-dir", str(trained["runs"])]) == 0, capsys.readouterr().err
    finally:
        trained["net"].write_text(NET)
    events = read_events(stopped_dir)
    starts = [
        (e["resumed_from_epoch"], e["resumed_from_step"]) for e in events if e["kind"] == "start"
    ]
    assert starts == [(0, 0), (0, 3)]
    assert events[-1]["status"] == "finished"
    assert metrics(events) == expected and expected


def reference_cam(module, x, layer_name: str, target: int) -> np.ndarray:
    """Grad-CAM the long way: retain the layer output's gradient and call backward()."""
    layer = dict(module.named_modules())[layer_name]
    kept = {}
    handle = layer.register_forward_hook(lambda _m, _i, out: kept.setdefault("a", out))
    try:
        with torch.enable_grad():
            score = module(x)[0, target]
            kept["a"].retain_grad()
            score.backward()
    finally:
        handle.remove()
    activation, grad = kept["a"][0].detach(), kept["a"].grad[0]  # (K, h, w)
    cam = torch.clamp((grad.mean(dim=(1, 2))[:, None, None] * activation).sum(dim=0), min=0)
    up = torch.nn.functional.interpolate(cam[None, None], size=x.shape[-2:], mode="bilinear")
    return up[0, 0].numpy()


@pytest.mark.parametrize("kind, layer", [("spec", "2.body.3"), ("python", "conv")])
def test_grad_cam_explains_a_custom_run_in_core_and_cli(trained, kind, layer, tmp_path, capsys):
    straight_dir = trained[kind][0]
    model = load_run_model(straight_dir.name, trained["runs"])
    image = (np.arange(40 * 40 * 3) % 251).astype(np.uint8).reshape(40, 40, 3)
    explanation = explain(model, image, Recipe(method="gradcam", target=3))
    assert explanation.layer == layer  # the last conv, here inside the residual body
    from core.data.images import fit_to_input, to_tensor

    pre = model.preprocess
    x = to_tensor(fit_to_input(image, pre.size, pre.resize_ratio), pre)
    expected = reference_cam(model.module, x, layer, 3)
    np.testing.assert_allclose(explanation.maps[0], expected, atol=1e-5)

    out = tmp_path / "out"
    argv = ["--runs-dir", str(trained["runs"]), "explain", "coffee", "--model", straight_dir.name]
    assert main([*argv, "--method", "gradcam", "--out", str(out)]) == 0
    assert json.loads((out / "recipe.json").read_text())["layer"] == layer
    assert np.load(out / "heatmap.npy").shape == (pre.size, pre.size)


def test_the_scratch_lab_rebuilds_a_residual_spec_and_refuses_a_python_file(trained, capsys):
    from core.scratch.inputs import runs_with_checkpoints

    runs = str(trained["runs"])
    usable = {run.split("-", 2)[-1]: name for run, name in runs_with_checkpoints(runs)}
    assert usable == {"spec-straight": "tiny-res", "spec-stopped": "tiny-res"}
    argv = ["scratch", "--samples", "4", "--repeats", "1", "--threads", "1", "--runs-dir", runs]
    assert main([*argv, "--run", "spec-straight", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    for variant in report["variants"].values():
        assert variant["logits_diff_after"] < 1e-4 and variant["agreement"] == 1.0
    assert report["predictions_scratch"] == report["predictions_torch"]
    assert main([*argv, "--run", "python-straight"]) == 2
    err = capsys.readouterr().err
    assert "Python-file network (net.py:Net)" in err and "SPEC" in err and "Traceback" not in err


def test_sweep_arch_trains_each_combination_with_the_own_network(trained, tmp_path, capsys):
    runs = tmp_path / "runs"
    argv = ["sweep", "--arch", f"{trained['net']}:Net", "--arch-args", '{"width": 2}']
    argv += [
        "--grid",
        "lr=3e-3",
        "--set",
        "epochs=1 train_size=64 test_size=32 device=cpu dataset=shapes",
    ]
    argv += ["--launcher", "local", "--runs-dir", str(runs), "--json"]
    assert main(argv) == 0, capsys.readouterr().err
    started = json.loads(capsys.readouterr().out)
    assert "net.py-Net" in started["sweep_id"]
    for run in started["runs"]:
        config = json.loads((runs / run["run_id"] / "config.json").read_text())
        assert config["arch_file"] == "model.py" and config["arch_args"] == {"width": 2}
        assert (runs / run["run_id"] / "model.py").read_text() == NET
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        rows = sweep_results(runs, started["sweep_id"])
        if all(row.state in ("finished", "failed", "died") for row in rows):
            break
        time.sleep(0.5)
    assert [row.state for row in rows] == ["finished"]
    model = load_run_model(started["runs"][0]["run_id"], runs)
    assert sum(p.numel() for p in model.module.parameters()) == 3 * 2 * 9 + 2 + 2 * 64 * 10 + 10
