"""Receptive fields against autograd: the input cells with a nonzero gradient for one output cell.

Weights and inputs are positive (no cancellation) and pooling is average pooling (max pooling
has the same geometry but a gradient only at the argmax), so the set of input cells with a
nonzero gradient is exactly the part of the receptive field that lies on the input.
"""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from core.arch.spec import build_module, parse_spec
from core.arch.table import layer_table

CHECKED = {"architectures": 0}
"""Random architectures compared with autograd (printed by the last test for the record)."""


@st.composite
def stacks(draw, transposed: bool):
    """A SPEC of 1-4 conv / avg-pool (/ transposed conv / adaptive pool) layers, 1 channel."""
    layers = []
    for _ in range(draw(st.integers(1, 4))):
        kinds = ["conv", "pool", "relu"] + (["transposed", "adaptive"] if transposed else [])
        kind = draw(st.sampled_from(kinds))
        k, s = draw(st.integers(1, 4)), draw(st.integers(1, 3))
        if kind == "conv":
            p, d = draw(st.integers(0, 3)), draw(st.integers(1, 2))
            layers.append(f"Conv2d(1, 1, {k}, stride={s}, padding={p}, dilation={d})")
        elif kind == "pool":
            p, ceil = draw(st.integers(0, k // 2)), draw(st.booleans())
            layers.append(f"AvgPool2d({k}, {s}, {p}, ceil_mode={ceil})")
        elif kind == "transposed":
            p = draw(st.integers(0, 2))
            layers.append(f"ConvTranspose2d(1, 1, {k}, stride={s}, padding={p})")
        elif kind == "adaptive":
            layers.append(f"AdaptiveAvgPool2d({draw(st.integers(1, 5))})")
        else:
            layers.append("ReLU()")
    return ", ".join(layers)


def positive_module(spec: str) -> nn.Module:
    torch.manual_seed(0)
    module = build_module(parse_spec(spec)).double()
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.uniform_(0.1, 1.0)
    return module


def gradient_cells(module: nn.Module, size: int, cell: tuple[int, int]) -> set[tuple[int, int]]:
    """Input cells (row, col) whose gradient for output `cell` is nonzero."""
    x = torch.rand(1, 1, size, size, dtype=torch.float64) + 0.5  # (N, C, H, W)
    x.requires_grad_(True)
    module(x)[0, 0, cell[0], cell[1]].backward()
    return {tuple(index) for index in torch.nonzero(x.grad[0, 0]).tolist()}


def gradient_box(module: nn.Module, size: int, cell: tuple[int, int]):
    """Bounding rows and cols of the nonzero gradient."""
    cells = gradient_cells(module, size, cell)
    rows, cols = [r for r, _ in cells], [c for _, c in cells]
    return (min(rows), max(rows)), (min(cols), max(cols))


@settings(max_examples=120, deadline=None)
@given(stacks(transposed=True), st.integers(6, 24), st.data())
def test_region_of_any_cell_matches_autograd(spec, size, data):
    torch.set_num_threads(1)
    try:
        table = layer_table(spec, (1, size, size))
    except ValueError:
        return  # a stack that does not fit this input
    _, height, width = table.rows[-1].out_shape
    cell = (data.draw(st.integers(0, height - 1)), data.draw(st.integers(0, width - 1)))
    region = table.region(len(table.rows) - 1, cell)
    expected = gradient_cells(positive_module(spec), size, cell)
    CHECKED["architectures"] += 1
    assert {(r, c) for r in region[0].cells for c in region[1].cells} == expected


@settings(max_examples=120, deadline=None)
@given(stacks(transposed=False))
def test_field_size_jump_and_start_match_autograd_in_the_interior(spec):
    torch.set_num_threads(1)
    table = layer_table(spec, (1, 200, 200))  # big enough that the middle cell sees no padding
    last = len(table.rows) - 1
    field = table.rows[last].field
    if field is None:
        return  # irregular spacing (non-dividing adaptive pool): no single field size
    cell = table.rows[last].out_shape[1] // 2
    start = field[0].start + cell * field[0].jump
    assert 0 <= start and start + field[0].size <= 200
    rows, _ = gradient_box(positive_module(spec), 200, (cell, cell))
    CHECKED["architectures"] += 1
    assert rows == (start, start + field[0].size - 1)


def test_exercise_b5_receptive_fields():
    three = layer_table("Conv2d(1, 1, 3), Conv2d(1, 1, 3), Conv2d(1, 1, 3)", (1, 32, 32))
    assert [row.field[0].size for row in three.rows] == [3, 5, 7]
    strided = layer_table("Conv2d(1, 1, 4, 2), Conv2d(1, 1, 4, 2)", (1, 32, 32))
    assert [(row.field[0].size, row.field[0].jump) for row in strided.rows] == [(4, 2), (10, 4)]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 3), st.integers(1, 3)), min_size=1, max_size=3),
    st.integers(1, 3),
    st.integers(40, 90),
)
def test_b5_closed_form_for_conv_pool_blocks(blocks, half_k, n):
    """r = 1 + Σ_j (d_1…d_{j−1})·(m_j·(k−1) + d_j − 1); n_j = ⌊(n_{j−1} − m_j·(k−1)) / d_j⌋."""
    k = 2 * half_k - 1
    layers, r, jump, size = [], 1, 1, n
    for convs, d in blocks:
        layers += [f"Conv2d(1, 1, {k})"] * convs + [f"MaxPool2d({d})"]
        r += jump * (convs * (k - 1) + d - 1)
        jump *= d
        size = (size - convs * (k - 1)) // d
    if size < 1:
        return
    table = layer_table(", ".join(layers), (1, n, n))
    assert (table.rows[-1].field[0].size, table.rows[-1].out_shape[1]) == (r, size)


def test_padding_share_of_a_corner_cell():
    table = layer_table("Conv2d(1, 1, 3, padding=1), Conv2d(1, 1, 3, padding=1)", (1, 8, 8))
    rows, cols = table.region(1, (0, 0))
    assert (rows.start, rows.end, rows.padding_cells) == (-2, 2, 2)
    assert rows.inside == (0, 2) and cols.size == 5


def test_dilated_field_has_holes():
    rows, _ = layer_table("Conv2d(1, 1, 3, dilation=2)", (1, 9, 9)).region(0, (2, 2))
    assert (rows.start, rows.end) == (2, 6) and rows.cells == {2, 4, 6}


def test_report_number_of_random_architectures(capsys):
    with capsys.disabled():
        print(f"\nreceptive fields: {CHECKED['architectures']} random architectures vs autograd")
