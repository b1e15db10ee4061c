"""The receptive-field growth demonstration: every variant's field after each step equals the
input rows autograd finds behind the middle output cell (the RF oracle of
test_shapes_receptive), and the sizes equal PyTorch's output heights."""

from __future__ import annotations

import torch

from core.arch.growth import MAX_DEPTH, grow
from tests.unit.arch.test_shapes_receptive import gradient_box, positive_module

SIZE = 100  # enough for four steps of every variant; the middle cell sees no padding


def test_each_steps_field_and_size_match_autograd_and_pytorch():
    torch.set_num_threads(1)
    for growth in grow(4, SIZE):
        layers = growth.spec.split(", ")
        per_step = len(layers) // 4
        for step in range(4):
            prefix = ", ".join(layers[: per_step * (step + 1)])
            # average pooling has max pooling's windows, and a gradient on every cell of them
            module = positive_module(prefix.replace("MaxPool2d", "AvgPool2d"))
            out = module(torch.zeros(1, 1, SIZE, SIZE, dtype=torch.float64))
            assert out.shape[-2] == growth.sizes[step], (growth.name, step)
            middle = out.shape[-2] // 2
            rows, _ = gradient_box(module, SIZE, (middle, middle))
            assert rows[1] - rows[0] + 1 == growth.fields[step], (growth.name, step)


def test_dilation_and_stride_grow_the_field_at_the_same_depth_as_plain_convs_cannot():
    plain, dilated, strided, pooled = grow(MAX_DEPTH)
    assert plain.steps == (2,) * MAX_DEPTH  # k − 1 per layer
    assert dilated.fields == strided.fields and dilated.fields[-1] > 9 * plain.fields[-1]
    assert dilated.sizes[-1] > 50 * strided.sizes[-1]  # dilation keeps the resolution
    assert pooled.fields[-1] > dilated.fields[-1]
