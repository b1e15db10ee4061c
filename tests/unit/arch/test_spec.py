"""The SPEC parser: PyTorch constructor syntax in, literal layers out, real modules built."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from core.arch.spec import SpecError, build_module, format_sequential, parse_spec
from core.models.zoo import PRESETS


def test_parses_positional_and_keyword_literals():
    layers = parse_spec("nn.Conv2d(3, 6, 5, padding='same', bias=False), ReLU(), MaxPool2d((2, 2))")
    assert [layer.type for layer in layers] == ["Conv2d", "ReLU", "MaxPool2d"]
    assert layers[0].args == (3, 6, 5) and layers[0].kwargs == {"padding": "same", "bias": False}
    assert layers[2].args == ((2, 2),)
    assert layers[0].source.startswith("nn.Conv2d(3, 6, 5")


def test_outer_sequential_is_unwrapped_and_nested_kept():
    layers = parse_spec("nn.Sequential(Conv2d(1, 2, 3), Sequential(ReLU(), Flatten()))")
    assert [layer.type for layer in layers] == ["Conv2d", "Sequential"]
    assert [child.type for child in layers[1].children] == ["ReLU", "Flatten"]


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "empty"),
        ("Conv2d(3, 6, 5", "Cannot read"),
        ("Conv2d(3, x, 5)", "not a literal"),
        ("relu", "not a layer"),
        ("foo.Bar(1)", "layer name"),
        ("Linear(**kw)", "unpacking"),
        ("__import__('os').system('true')", "layer name"),
    ],
)
def test_errors_say_what_to_write(text, fragment):
    with pytest.raises(SpecError, match=fragment):
        parse_spec(text)


def test_build_module_rejects_unknown_layers_and_bad_arguments():
    with pytest.raises(SpecError, match="no layer named"):
        build_module(parse_spec("Conv3x3(1, 2)"))
    with pytest.raises(SpecError, match="Conv2d"):
        build_module(parse_spec("Conv2d(1)"))


@pytest.mark.parametrize("name", [name for name, p in PRESETS.items() if p.spec])
def test_preset_specs_build_and_round_trip_through_pytorch_source(name):
    preset = PRESETS[name]
    model = build_module(preset.layers())
    out = model(torch.zeros(2, *preset.input_shape))  # (2, 10)
    assert out.shape == (2, 10)
    rebuilt = build_module(parse_spec(format_sequential(preset.layers())))
    assert [type(m) for m in rebuilt] == [type(m) for m in model]
    assert sum(p.numel() for p in rebuilt.parameters()) == sum(
        p.numel() for p in model.parameters()
    )
    assert isinstance(model, nn.Sequential)
