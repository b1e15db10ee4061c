"""The A5 comparison procedure, checked against PyTorch networks evaluated independently."""

from __future__ import annotations

import pytest
import torch
from torchvision.transforms import Normalize

from core.arch.spec import build_module
from core.data.datasets import load_dataset
from core.errors import UserError
from core.models.zoo import PRESETS
from core.scratch.check import iter_checks, run_checks
from core.scratch.inputs import reference_network, runs_with_checkpoints, sample_batch
from core.scratch.results import LayerCheck, NetworkCheck, TimingCheck, TimingProgress
from tests.helpers.scratch import MEAN, STD, TEST_SIZE, write_run

torch.set_num_threads(1)


def test_run_checks_matches_an_independent_evaluation(tmp_path):
    _, trained = write_run(tmp_path)
    reference = reference_network("20260101", tmp_path)
    batch = sample_batch(reference, 12)
    steps = []
    report = run_checks(
        reference.model,
        reference.layers,
        batch.images,
        batch.labels,
        reference.source,
        repeats=2,
        on_step=steps.append,
    )
    # Oracle: the trained nn.Sequential on the first 12 test images, normalised by torchvision.
    split = load_dataset("shapes", test_size=TEST_SIZE).test
    pixels = torch.from_numpy(split.images[:12]).permute(0, 3, 1, 2).float() / 255
    with torch.no_grad():
        expected = trained.eval()(Normalize(MEAN, STD)(pixels)).argmax(1)
    labels = torch.from_numpy(split.labels[:12])
    assert report.network.labels == tuple(labels.tolist())
    assert report.network.predictions_torch == tuple(expected.tolist())
    for variant in ("loop", "vectorised"):
        assert report.network.predictions_scratch[variant] == tuple(expected.tolist())
        assert report.network.agreement(variant) == 1.0
        assert report.network.accuracy_scratch(variant) == pytest.approx(
            (expected == labels).float().mean().item()
        )
        assert report.network.logits_diff_after[variant] < 1e-5
        assert report.linear.diff_after[variant] < 1e-5 < 1e-2 < report.linear.diff_before[variant]
        assert report.conv.diff_after[variant] < 1e-5 < 1e-2 < report.conv.diff_before[variant]
    assert report.network.logits_diff_before > 1e-3
    kinds = [type(step) for step in steps]
    assert kinds == [
        LayerCheck,
        LayerCheck,
        NetworkCheck,
        TimingProgress,
        TimingProgress,
        TimingCheck,
    ]
    data = report.to_json("vectorised")
    assert data["time_ratio"] == pytest.approx(
        report.timing.scratch_seconds["vectorised"] / report.timing.torch_seconds
    )
    assert "20260101-000000-lenet" in data["source"]


def test_layer_diffs_are_measured_against_the_real_pytorch_layers():
    torch.manual_seed(0)
    images = torch.randn(4, 3, 32, 32)
    model = build_module(PRESETS["lenet-8-16"].layers())
    labels = torch.zeros(4, dtype=torch.long)
    steps = iter_checks(model, PRESETS["lenet-8-16"].layers(), images, labels, "x", repeats=1)
    linear, conv = next(steps), next(steps)
    assert linear.layer == "Linear(400, 128)" and linear.input_shape == (4, 400)
    assert conv.layer == "Conv2d(3, 8, 5)" and conv.input_shape == (4, 3, 32, 32)
    # Independent random inits of a 400-input layer differ by about the weight bound on average.
    assert 0.1 < linear.diff_before["loop"] < 2.0


def test_loop_variant_is_slower_than_vectorised_and_ratios_are_positive():
    torch.manual_seed(0)
    layers = PRESETS["lenet-8-16"].layers()
    model = build_module(layers)
    images = torch.randn(8, 3, 32, 32)
    labels = torch.zeros(8, dtype=torch.long)
    timing = run_checks(model, layers, images, labels, "x", repeats=3).timing
    assert isinstance(timing, TimingCheck) and timing.repeats == 3 and timing.batch == 8
    assert timing.torch_seconds > 0
    assert timing.ratio("loop") > timing.ratio("vectorised") > 0


def test_runs_with_checkpoints_lists_only_usable_runs(tmp_path):
    write_run(tmp_path, "a-lenet")
    write_run(tmp_path, "b-lenet5", preset="lenet5")
    (tmp_path / "c-empty").mkdir()
    (tmp_path / "c-empty" / "config.json").write_text('{"preset": "lenet-8-16"}')
    (tmp_path / "d-resnet").mkdir()
    (tmp_path / "d-resnet" / "config.json").write_text('{"preset": "resnet18-transfer"}')
    assert runs_with_checkpoints(tmp_path) == [("a-lenet", "lenet-8-16"), ("b-lenet5", "lenet5")]


def test_resnet_runs_and_bad_sample_counts_are_user_errors(tmp_path):
    (tmp_path / "r1").mkdir()
    (tmp_path / "r1" / "config.json").write_text('{"preset": "resnet18-transfer"}')
    with pytest.raises(UserError, match="cannot rebuild"):
        reference_network("r1", tmp_path)
    seeded = reference_network(None, tmp_path)
    assert "RANDOM" in seeded.source
    with pytest.raises(UserError, match="at least 1"):
        sample_batch(seeded, 0)
