"""Residual and nested blocks, and the layers beyond conv/pool: tables against instantiated
PyTorch modules (shapes, p.numel(), FLOP counts), receptive fields against autograd, exports
read back, and arguments PyTorch refuses refused with a message."""

from __future__ import annotations

import time
import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from core.arch.spec import SpecError, build_module, format_module, format_sequential, parse_spec
from core.arch.table import layer_table, to_markdown
from tests.unit.arch.test_shapes_receptive import gradient_cells, positive_module
from tests.unit.arch.test_shapes_table import module_truth

EXAMPLE = (
    "Conv2d(3, 16, 3, padding=1), "
    "Residual(Conv2d(16, 32, 3, stride=2, padding=1), BatchNorm2d(32), ReLU(), "
    "Conv2d(32, 32, 3, padding=1), BatchNorm2d(32), "
    "shortcut=Sequential(Conv2d(16, 32, 1, stride=2), BatchNorm2d(32))), ReLU(), "
    "Residual(Conv2d(32, 32, 3, padding=1), ReLU()), AdaptiveAvgPool2d(1), Flatten(), "
    "Linear(32, 10)"
)


def assert_matches_torch(layers, input_shape):
    module = build_module(layers)
    table = layer_table(layers, input_shape)
    truth = {
        name: value
        for name, value in module_truth(module, input_shape).items()
        if not (name.endswith(".shortcut") and isinstance(module.get_submodule(name), nn.Identity))
    }
    assert [row.name for row in table.rows] == list(truth)
    for row in table.rows:
        assert (row.out_shape, row.weights, row.biases, row.macs) == truth[row.name], row.source
    assert table.total_params == sum(p.numel() for p in module.parameters())
    with torch.no_grad():
        out = module.eval()(torch.zeros(1, *input_shape))
    assert tuple(out.shape[1:]) == table.rows[-1].out_shape
    for block in table.blocks:
        part = module.get_submodule(block.name)
        assert block.params == sum(p.numel() for p in part.parameters()), block.name
        assert block.macs == sum(table.rows[i].macs for i in range(block.first, block.end))
    return table


def test_residual_example_matches_torch_and_groups_its_rows():
    table = assert_matches_torch(parse_spec(EXAMPLE), (3, 32, 32))
    kinds = [(type(item).__name__, item.name, item.depth) for item in table.display()][:5]
    assert kinds == [
        ("Row", "0", 0),
        ("Block", "1", 0),
        ("Row", "1.body.0", 1),
        ("Row", "1.body.1", 1),
        ("Row", "1.body.2", 1),
    ]
    shortcut = next(b for b in table.blocks if b.name == "1.shortcut")
    assert shortcut.depth == 1 and shortcut.params == 16 * 32 + 32 + 64
    identity = next(b for b in table.blocks if b.name == "3")
    assert "identity" in identity.label
    markdown = to_markdown(table)
    assert "**Residual (identity shortcut)**" in markdown and "1.shortcut.0" in markdown
    assert table.to_json()["blocks"][0]["layers"][0] == "1.body.0"


def test_residual_shape_mismatch_names_both_shapes_and_the_shortcut_that_fits():
    with pytest.raises(SpecError) as error:
        layer_table(
            "Residual(Conv2d(16, 32, 3, stride=2, padding=1), BatchNorm2d(32))", (16, 32, 32)
        )
    text = str(error.value)
    assert "32×16×16" in text and "16×32×32" in text
    hint = "shortcut=Sequential(Conv2d(16, 32, 1, stride=2), BatchNorm2d(32))"
    assert hint in text
    fixed = f"Residual(Conv2d(16, 32, 3, stride=2, padding=1), BatchNorm2d(32), {hint})"
    assert_matches_torch(parse_spec(fixed), (16, 32, 32))


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("Residual()", "at least one layer"),
        ("Residual(ReLU(), skip=ReLU())", "one keyword, shortcut"),
        ("Residual(ReLU(), shortcut=3)", "not a layer"),
    ],
)
def test_bad_residual_syntax(text, fragment):
    with pytest.raises(SpecError, match=fragment):
        parse_spec(text)


def test_a_group_of_one_value_is_refused_like_pytorch_refuses_it():
    layers = parse_spec("GroupNorm(2, 2)")
    with pytest.raises(SpecError, match="single value"):
        layer_table(layers, (2, 1, 1))
    with pytest.raises(ValueError):
        build_module(layers).eval()(torch.zeros(1, 2, 1, 1))
    assert layer_table(parse_spec("GroupNorm(1, 2)"), (2, 1, 1)).total_params == 4


def test_code_exports_read_back_with_the_same_parameter_names():
    layers = parse_spec(EXAMPLE)
    assert parse_spec(format_sequential(layers)) == parse_spec(
        format_sequential(parse_spec(format_sequential(layers)))
    )
    model = build_module(layers)
    namespace: dict = {}
    exec(compile(format_module(layers), "net.py", "exec"), namespace)
    exported = namespace["Net"]()
    assert [n for n, _ in exported.named_parameters()] == [n for n, _ in model.named_parameters()]
    exported.load_state_dict(model.state_dict())
    x = torch.randn(2, 3, 32, 32)
    torch.testing.assert_close(exported.eval()(x), model.eval()(x))
    reread = layer_table(format_sequential(layers), (3, 32, 32))
    assert reread.total_params == layer_table(layers, (3, 32, 32)).total_params


EXTRA_LAYERS = [
    ("ZeroPad2d(1)", (3, 8, 8)),
    ("ZeroPad2d((1, 2, 0, 3))", (3, 8, 8)),
    ("ZeroPad2d((1, 2))", (3, 8, 8)),
    ("ConstantPad2d(2, 0.5)", (3, 8, 8)),
    ("ReflectionPad2d((3, 1, 2, 0))", (3, 4, 5)),
    ("ReplicationPad2d(6)", (3, 4, 4)),
    ("GroupNorm(3, 6)", (6, 5, 5)),
    ("Flatten(), GroupNorm(2, 150, affine=False)", (6, 5, 5)),
    ("InstanceNorm2d(4, affine=True)", (4, 6, 6)),
    ("LayerNorm((6, 6))", (4, 6, 6)),
    ("LayerNorm(6, bias=False)", (4, 6, 6)),
    ("LocalResponseNorm(3)", (4, 6, 6)),
    ("PReLU()", (4, 6, 6)),
    ("PReLU(4)", (4, 6, 6)),
    ("Hardtanh(-2, 3)", (4, 6, 6)),
    ("Softplus(beta=2)", (4, 6, 6)),
    ("Mish()", (4, 6, 6)),
    ("Upsample(scale_factor=2)", (3, 5, 5)),
    ("Upsample(scale_factor=1.5, mode='bilinear', align_corners=False)", (3, 5, 5)),
    ("Upsample(size=(4, 9), mode='bicubic')", (3, 5, 5)),
    ("UpsamplingNearest2d(scale_factor=3)", (3, 5, 5)),
    ("UpsamplingBilinear2d(size=7)", (3, 5, 5)),
    ("Flatten(), Dropout1d(0.2)", (3, 5, 5)),
    ("AlphaDropout(0.1)", (3, 5, 5)),
    ("Flatten(), Unflatten(1, (3, 25))", (3, 5, 5)),
    ("Flatten(), Unflatten(1, (5, -1, 5))", (3, 5, 5)),
    ("Flatten(2, 3)", (3, 5, 5)),
    ("Flatten(1, 2)", (3, 5, 5)),
    ("Flatten(start_dim=-2)", (3, 5, 5)),
    ("Softmax(dim=-3)", (3, 5, 5)),
    ("Flatten(), BatchNorm1d(75)", (3, 5, 5)),
]


@pytest.mark.parametrize("spec, shape", EXTRA_LAYERS)
def test_every_extra_layer_matches_torch(spec, shape):
    torch.set_num_threads(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_matches_torch(parse_spec(spec), shape)


REFUSED = [
    ("Dropout(1.5)", "between 0 and 1"),
    ("AlphaDropout(-0.1)", "between 0 and 1"),
    ("Softmax(dim=4)", "out of range"),
    ("Hardtanh(1, 1)", "greater than min_val"),
    ("GroupNorm(4, 6)", "divisible"),
    ("Conv2d(3, 3, 3, padding_mode='mirror')", "padding_mode"),
    ("Upsample(size=3, scale_factor=2)", "exactly one"),
    ("Upsample(size=3, mode='linear')", "does not resample"),
    ("Upsample(size=3, align_corners=True)", "align_corners"),
    ("ReflectionPad2d(5)", "smaller than the map"),
    ("PReLU(4)", "PReLU(3)"),
    ("Dropout1d()", "use Dropout2d"),
    ("InstanceNorm2d(4)", "InstanceNorm2d(3)"),
    ("LayerNorm(4)", "LayerNorm"),
    ("Flatten(), LocalResponseNorm(2)", "C×H×W"),
    ("Flatten(0)", "batch"),
    ("Flatten(3, 2)", "before start_dim"),
    ("Flatten(), Unflatten(1, (4, 4))", "does not hold"),
    ("Flatten(), LayerNorm(4)", "LayerNorm(75)"),
]


@pytest.mark.parametrize("spec, fragment", REFUSED)
def test_arguments_pytorch_refuses_are_refused_with_a_message(spec, fragment):
    with pytest.raises(SpecError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        layer_table(spec, (3, 5, 5))
    with pytest.raises(Exception), warnings.catch_warnings():  # noqa: B017 - PyTorch agrees
        warnings.simplefilter("ignore")
        module = build_module(parse_spec(spec))
        module(torch.zeros(2, 3, 5, 5))
        if spec.startswith(("InstanceNorm2d", "Flatten(0)")):
            raise ValueError("PyTorch only warns (or silently merges the batch) here")


@st.composite
def residual_stacks(draw):
    """A stem conv, then 1-3 residual blocks (some with downsampling shortcuts), nested
    Sequentials and the extra layers, then a classifier head."""
    channels = draw(st.integers(1, 4))
    parts = [f"Conv2d(3, {channels}, 3, padding=1)"]
    for _ in range(draw(st.integers(1, 3))):
        out = draw(st.integers(1, 6))
        stride = draw(st.integers(1, 2))
        norm = draw(st.sampled_from(["BatchNorm2d({c})", "GroupNorm(1, {c})", "Identity()"]))
        act = draw(st.sampled_from(["ReLU()", "PReLU()", "Mish()", "Hardtanh()"]))
        body = [
            f"Conv2d({channels}, {out}, 3, stride={stride}, padding=1)",
            norm.format(c=out),
            act,
        ]
        if draw(st.booleans()):
            body.append(f"Sequential(Conv2d({out}, {out}, 3, padding=1), {norm.format(c=out)})")
        if out != channels or stride != 1:
            shortcut = f"Conv2d({channels}, {out}, 1, stride={stride})"
            if draw(st.booleans()):
                shortcut = f"Sequential({shortcut}, BatchNorm2d({out}))"
            body.append(f"shortcut={shortcut}")
        elif draw(st.booleans()):
            body.append("shortcut=None")
        parts.append(f"Residual({', '.join(body)})")
        channels = out
        if draw(st.booleans()):
            parts.append(draw(st.sampled_from(["ZeroPad2d(1)", "MaxPool2d(2, ceil_mode=True)"])))
    parts += ["AdaptiveAvgPool2d(1)", "Flatten()", f"Linear({channels}, 10)"]
    return ", ".join(parts)


@settings(max_examples=40, deadline=None)
@given(residual_stacks(), st.integers(4, 16))
def test_random_residual_stacks_match_torch(spec, size):
    torch.set_num_threads(1)
    layers = parse_spec(spec)
    try:
        layer_table(layers, (3, size, size))
    except SpecError:  # refused by the table (e.g. a group of one value): PyTorch refuses too
        with pytest.raises((RuntimeError, ValueError)), torch.no_grad():
            build_module(layers).eval()(torch.zeros(1, 3, size, size))
        return
    assert_matches_torch(layers, (3, size, size))


@st.composite
def residual_fields(draw):
    """One-channel stacks of convs and residual blocks, for autograd's receptive fields."""
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        k, d = draw(st.integers(1, 3)), draw(st.integers(1, 2))
        conv = f"Conv2d(1, 1, {2 * k - 1}, padding={(k - 1) * d}, dilation={d})"
        if draw(st.booleans()):
            shortcut = draw(st.sampled_from(["", ", shortcut=Conv2d(1, 1, 3, padding=1)"]))
            parts.append(f"Residual({conv}, {conv}{shortcut})")
        else:
            parts.append(f"Conv2d(1, 1, 3, stride={draw(st.integers(1, 2))}, padding=1)")
    return ", ".join(parts)


@settings(max_examples=25, deadline=None)
@given(residual_fields())
def test_receptive_field_through_residual_blocks_matches_autograd(spec):
    torch.set_num_threads(1)
    size = 40
    table = layer_table(spec, (1, size, size))
    module = positive_module(spec)
    last = table.rows[-1] if not table.blocks or table.blocks[-1].end < len(table.rows) else None
    field = (last or table.blocks[-1]).field[0] if (last or table.blocks[-1]).field else None
    out = table.blocks[-1].out_shape if last is None else last.out_shape
    cell = out[1] // 2
    cells = gradient_cells(module, size, (cell, cell))
    rows = {r for r, _ in cells}
    start = field.start + cell * field.jump
    assert min(rows) >= start and max(rows) <= start + field.size - 1
    inside = [i for i in (start, start + field.size - 1) if 0 <= i < size]
    assert set(inside) <= rows  # the field's ends are read (where they lie on the input)


def test_four_thousand_layers_parse_and_table_in_linear_time():
    spec = "Conv2d(3, 8, 3, padding=1), " + ", ".join(["Conv2d(8, 8, 3, padding=1), ReLU()"] * 2000)
    began = time.perf_counter()
    table = layer_table(parse_spec(spec), (3, 32, 32))
    assert len(table.rows) == 4001
    assert time.perf_counter() - began < 10  # quadratic parsing took minutes here
