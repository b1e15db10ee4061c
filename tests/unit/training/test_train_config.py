"""Training configuration: preset defaults, overrides, validation, JSON round trip, LR schedules."""

from __future__ import annotations

import json
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import UserError
from core.models.zoo import PRESETS
from core.training.config import TrainConfig
from core.training.setup import lr_factor, make_schedule


def test_preset_defaults_and_overrides():
    config = TrainConfig.for_preset("vgg-2x2", epochs=3, lr=None)
    assert config.epochs == 3 and config.lr == 5e-4 and config.betas == (0.9, 0.95)
    assert config.validate() is config


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_default_is_valid_and_round_trips_through_json(name):
    config = TrainConfig.for_preset(name, augment=("flip", "crop", "jitter")).validate()
    again = TrainConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"lr": -0.1}, "learning rate"),
        ({"lr": math.nan}, "learning rate"),
        ({"batch_size": 0}, "batch size"),
        ({"epochs": 0}, "epochs"),
        ({"optimizer": "rmsprop"}, "optimizer"),
        ({"betas": (0.9, 1.0)}, "betas"),
        ({"momentum": -0.5}, "Momentum"),
        ({"weight_decay": -1e-4}, "Weight decay"),
        ({"augment": ("flip", "rotate")}, "rotate"),
        ({"normalize": ((0.5,) * 3, (0.5, 0.0, 0.5))}, "stds"),
        ({"val_split": 0.9}, "validation split"),
        ({"early_stop": 3}, "--val-split"),
        ({"dataset": "mnist"}, "dataset"),
        ({"device": "tpu"}, "device"),
        ({"pipeline": "turbo"}, "pipeline"),
    ],
)
def test_bad_settings_are_user_errors(changes, words):
    config = TrainConfig.for_preset("lenet5").with_changes(**changes)
    with pytest.raises(UserError, match=words):
        config.validate()


def test_unknown_preset_is_a_user_error():
    with pytest.raises(UserError, match="lenet5"):
        TrainConfig.for_preset("alexnet")


@settings(max_examples=50, deadline=None)
@given(lr=st.floats(allow_nan=True, allow_infinity=True), batch=st.integers(-5, 5000))
def test_validation_accepts_exactly_the_sensible_values(lr, batch):
    config = TrainConfig.for_preset("lenet5", lr=lr, batch_size=batch)
    sensible = math.isfinite(lr) and lr > 0 and batch >= 1
    if sensible:
        config.validate()
    else:
        with pytest.raises(UserError):
            config.validate()


@settings(max_examples=20, deadline=None)
@given(total=st.integers(1, 400))
def test_cosine_schedule_matches_torch(total):
    config = TrainConfig.for_preset("lenet5", schedule="cosine")
    ours = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    theirs = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    schedule = make_schedule(config, ours, total)
    oracle = torch.optim.lr_scheduler.CosineAnnealingLR(theirs, T_max=total)
    for _ in range(total):
        assert ours.param_groups[0]["lr"] == pytest.approx(theirs.param_groups[0]["lr"], abs=1e-12)
        ours.step(), theirs.step(), schedule.step(), oracle.step()


def test_one_cycle_rises_then_falls_to_zero():
    values = [lr_factor("onecycle", step, 100) for step in range(101)]
    peak = values.index(max(values))
    assert values[0] == pytest.approx(0.1) and max(values) == pytest.approx(1.0)
    assert all(a <= b for a, b in zip(values[:peak], values[1 : peak + 1]))
    assert all(a >= b for a, b in zip(values[peak:], values[peak + 1 :]))
    assert values[-1] == 0.0 and lr_factor("none", 50, 100) == 1.0
