"""The layer table against instantiated PyTorch modules: shapes, p.numel() and FLOP counts."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from core.arch.spec import SpecError, build_module, format_sequential, parse_spec
from core.arch.table import layer_table, to_markdown
from core.exercises.calc_presets import ARCHITECTURE_EXAMPLES
from core.models.zoo import PRESETS, build_model, preset_table


def module_truth(module: nn.Module, input_shape):
    """Per leaf module: output shape, weight/bias numel, and MACs (FlopCounterMode / 2)."""
    truth = {}

    def hook(name):
        def record(layer, inputs, output):
            with FlopCounterMode(display=False) as counter:
                layer.forward(*inputs)  # forward() skips this hook
            weight, bias = getattr(layer, "weight", None), getattr(layer, "bias", None)
            truth[name] = (
                tuple(output.shape[1:]),
                weight.numel() if isinstance(weight, nn.Parameter) else 0,
                bias.numel() if isinstance(bias, nn.Parameter) else 0,
                counter.get_total_flops() // 2,
            )

        return record

    handles = [
        m.register_forward_hook(hook(n))
        for n, m in module.named_modules()
        if not list(m.children())
    ]
    with torch.no_grad():
        module.eval()
        module(torch.randn(1, *input_shape))  # (1, C, H, W)
    for handle in handles:
        handle.remove()
    return truth


def assert_table_matches(spec_layers, input_shape):
    module = build_module(spec_layers)
    table = layer_table(spec_layers, input_shape)
    truth = module_truth(module, input_shape)
    assert [row.name for row in table.rows] == list(truth)
    for row in table.rows:
        assert (row.out_shape, row.weights, row.biases, row.macs) == truth[row.name], row.source
    assert table.total_params == sum(p.numel() for p in module.parameters())
    assert table.trainable_params == table.total_params


@pytest.mark.parametrize("name", [n for n, p in PRESETS.items() if p.spec])
def test_every_spec_preset_matches_pytorch(name):
    torch.set_num_threads(1)
    assert_table_matches(PRESETS[name].layers(), PRESETS[name].input_shape)
    model = build_model(name, pretrained=False)
    assert preset_table(name).total_params == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize(
    "example", [e for e in ARCHITECTURE_EXAMPLES if e.spec], ids=lambda example: example.key
)
def test_every_architecture_exercise_matches_pytorch(example):
    torch.set_num_threads(1)
    assert_table_matches(parse_spec(example.spec), example.input_shape)


def test_uneven_fits_are_reported_per_layer():
    table = layer_table("Conv2d(3, 8, 4, stride=3), MaxPool2d(2)", (3, 32, 32))
    assert table.rows[0].dropped == ((32 - 4) % 3, (32 - 4) % 3) == (1, 1)
    assert table.rows[1].dropped == (0, 0)
    assert table.notes() == [
        "layer 0, Conv2d(3, 8, 4, stride=3): the floor drops 1 row and 1 column at the end of "
        "its (padded) input"
    ]


def test_exercise_b4_counts():
    table = preset_table("convnet-32-64-128")
    assert [row.params for row in table.rows if row.params] == [
        3 * 32 * 25 + 32,
        32 * 64 * 25 + 64,
        64 * 128 * 25 + 128,
        2048 * 64 + 64,
        64 * 10 + 10,
    ]
    single = layer_table("Conv2d(3, 32, 4, stride=2, padding=2)", (3, 32, 32))
    assert single.rows[0].out_shape == (32, 17, 17) and single.total_params == 1568


def test_resnet18_transfer_counts_trainable_and_frozen():
    torch.set_num_threads(1)
    table = preset_table("resnet18-transfer", (3, 64, 64))
    model = build_model("resnet18-transfer", pretrained=False)
    assert table.total_params == sum(p.numel() for p in model.parameters())
    assert table.trainable_params == sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert table.rows[-1].out_shape == (10,)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.zeros(1, 3, 64, 64))
    assert table.total_macs == counter.get_total_flops() // 2


CHECKED = {"architectures": 0}
"""Random architectures whose whole table was compared with PyTorch (printed at the end)."""


@st.composite
def random_specs(draw):
    """Stacks mixing every supported layer kind, with channel counts that fit."""
    channels, parts = 3, []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["conv", "tconv", "max", "avg", "bn", "act", "drop"]))
        out = draw(st.integers(1, 6))
        k, s = draw(st.integers(1, 3)), draw(st.integers(1, 2))
        if kind == "conv":
            groups = draw(st.sampled_from([g for g in (1, 2, 3) if channels % g == 0]))
            out = out * groups
            pad = draw(st.sampled_from(["0", "1", "'same'"])) if s == 1 else "1"
            bias = draw(st.booleans())
            parts.append(
                f"Conv2d({channels}, {out}, {k}, {s}, padding={pad}, groups={groups}, bias={bias})"
            )
            channels = out
        elif kind == "tconv":
            parts.append(f"ConvTranspose2d({channels}, {out}, kernel_size={k}, stride={s})")
            channels = out
        elif kind in ("max", "avg"):
            name = "MaxPool2d" if kind == "max" else "AvgPool2d"
            parts.append(f"{name}({k}, {s}, ceil_mode={draw(st.booleans())})")
        elif kind == "bn":
            parts.append(f"BatchNorm2d({channels}, affine={draw(st.booleans())})")
        elif kind == "act":
            parts.append(draw(st.sampled_from(["ReLU()", "GELU()", "LeakyReLU(0.1)", "Tanh()"])))
        else:
            parts.append("Dropout2d(0.1)")
    if draw(st.booleans()):
        parts.append(f"AdaptiveAvgPool2d({draw(st.integers(1, 3))})")
    parts += ["Flatten()", "LINEAR"]
    return ", ".join(parts)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(max_examples=60, deadline=None)
@given(random_specs(), st.integers(8, 20))
def test_random_stacks_match_pytorch(spec, size):
    torch.set_num_threads(1)
    head = spec.replace(", LINEAR", "")
    try:
        features = layer_table(head, (3, size, size)).rows[-1].out_shape[0]
    except SpecError:
        return
    layers = parse_spec(spec.replace("LINEAR", f"Linear({features}, 7), BatchNorm1d(7)"))
    assert_table_matches(layers, (3, size, size))
    CHECKED["architectures"] += 1


@pytest.mark.parametrize(
    "spec, fragment",
    [
        (
            "Conv2d(3, 32, 5), Flatten(), Linear(512, 64)",
            "the flattened input has 25088 features — use Linear(25088, 64)",
        ),
        ("Conv2d(6, 16, 5)", "its input has 3 channels — use Conv2d(3, 16, 5)"),
        ("Conv2d(3, 8, 3), Linear(8, 4)", "add Flatten() before it and use Linear(7200, 4)"),
        ("Conv2d(3, 8, 40)", "smaller than the window"),
        ("Conv2d(3, 8, 3, stride=2, padding='same')", "needs stride 1"),
        ("Conv2d(3, 8, 3, kernel=3)", "has no argument `kernel`"),
        ("Conv2d(3, 8)", "needs `kernel_size`"),
        ("Linear(1, 2, True, 4)", "at most 3 positional"),
        ("MaxPool2d(2, padding=2)", "at most 1"),
        ("PixelShuffle(2)", "do not know `PixelShuffle`"),
        ("Flatten(), Conv2d(3072, 8, 3)", "put it before Flatten()"),
        ("Conv2d(3, 8, 3), BatchNorm2d(16)", "use BatchNorm2d(8)"),
    ],
)
def test_errors_name_the_layer_and_what_fits(spec, fragment):
    with pytest.raises(SpecError) as error:
        layer_table(spec, (3, 32, 32))
    assert fragment in str(error.value)
    assert "`" in str(error.value)


def test_keyword_and_positional_forms_agree():
    a = layer_table("Conv2d(3, 6, 5, 2, 1)", (3, 32, 32))
    b = layer_table(
        "nn.Conv2d(in_channels=3, out_channels=6, kernel_size=5, stride=2, padding=1)", (3, 32, 32)
    )
    assert a.rows[0].out_shape == b.rows[0].out_shape == (6, 15, 15)


def test_exports_markdown_and_pytorch_code():
    layers = PRESETS["lenet5"].layers()
    markdown = to_markdown(layer_table(layers, (3, 32, 32)))
    assert "| 0 | `Conv2d(3, 6, 5)` | 6×28×28 |" in markdown and "**62,006**" in markdown
    code = format_sequential(layers)
    namespace = {"nn": nn}
    exec(compile(code, "<export>", "eval"), namespace)  # the export is runnable PyTorch
    rebuilt = eval(code, namespace)
    assert sum(p.numel() for p in rebuilt.parameters()) == 62006


def test_report_number_of_random_architectures(capsys):
    with capsys.disabled():
        print(f"\nlayer tables: {CHECKED['architectures']} random architectures vs PyTorch")


def test_ceil_mode_note_does_not_blame_the_floor():
    table = layer_table("MaxPool2d(1, stride=3, ceil_mode=True)", (1, 5, 5))
    x = torch.zeros(1, 1, 5, 5, requires_grad=True)
    torch.nn.MaxPool2d(1, stride=3, ceil_mode=True)(x).sum().backward()
    read = [r for r in range(5) if x.grad[0, 0, r].abs().sum() > 0]
    assert table.rows[0].dropped == (4 - read[-1], 4 - read[-1]) == (1, 1)
    (note,) = table.notes()
    assert "floor" not in note and "ceil_mode" in note and "1 row and 1 column" in note
