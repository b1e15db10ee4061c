"""The SPEC parser: PyTorch constructor syntax in, literal layers out, real modules built."""

from __future__ import annotations

import ast

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


@pytest.mark.parametrize(
    "text",
    [
        "Conv2d(3, 6, 5), ReLU(",  # the last layer left open
        "Conv2d(3, 6, 5)), ReLU()",  # one `)` too many
        "Conv2d(3, 6, 5], ReLU()",  # the wrong closing bracket
        "Conv2d(3, (6, 5), ReLU()",  # an inner tuple closes, the call does not
        "Sequential(Conv2d(1, 2, 3),\n    ReLU(),\n    MaxPool2d(2,\n",  # open on line 3
        "Conv2d(3, 'a)b', 5",  # a bracket inside a string is not one
        "Conv2d(3, 6 5)",
        "Conv2d(1, 2, 3),\n\n      Linear(4 5)",  # indentation and blank lines kept
        "Conv2d(3, 'é' 5)",  # columns count characters, not UTF-8 bytes
    ],
)
def test_syntax_errors_point_at_the_typed_text(text):
    """Line and column are where Python's own parser, run on the typed text alone (lines joined
    with a backslash, which keeps every place), puts the error; no bracket the user did not
    type is named."""
    with pytest.raises(SyntaxError) as oracle:
        ast.parse(text.replace("\n", " \\\n"), mode="eval")
    with pytest.raises(SpecError) as error:
        parse_spec(text)
    message = str(error.value)
    assert f"line {oracle.value.lineno}, column {oracle.value.offset}" in message
    typed = {char for char in "()[]" if char in text}
    named = {char for char in "()[]" if f"`{char}`" in message or f"'{char}'" in message}
    assert named <= typed, message
    assert "?." not in message and ".." not in message


def test_leading_blank_lines_and_indentation_count():
    """Nothing typed is stripped before parsing, so places stay the user's."""
    with pytest.raises(SpecError, match=r"line 3, column 13 \(`Conv2d\(3, 6 5\)`\)"):
        parse_spec("\n\n  Conv2d(3, 6 5)")


def test_a_spec_that_ends_too_early_is_told_at_its_end():
    with pytest.raises(SpecError) as error:
        parse_spec("Conv2d(3, 6, 5),\nReLU(), *\n\n")
    assert "at the end, line 2, column 10 (`ReLU(), *`)" in str(error.value)
