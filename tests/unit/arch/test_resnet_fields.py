"""ResNet-18's receptive fields (stem and blocks) against autograd on the real torchvision net."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torchvision.models import resnet18

from core.models.zoo import preset_table

SIZE = 128  # input side: the fields checked lie wholly inside it
CHECKED = ("conv1", "maxpool", "layer1.0.conv1", "layer1.1.relu", "layer2.0.downsample.0")


@pytest.fixture(scope="module")
def positive_net():
    """ResNet-18 with positive weights (no ReLU ever cuts a path) and average pooling where the
    max pool is (a max sends its gradient to one cell only; the window is the same)."""
    torch.manual_seed(0)
    torch.set_num_threads(1)
    net = resnet18(weights=None).double().eval()
    net.maxpool = nn.AvgPool2d(3, 2, 1)
    with torch.no_grad():
        for parameter in net.parameters():
            parameter.uniform_(0.1, 1.0)
    return net


def gradient_box(net, name: str, cell: int) -> tuple[int, int]:
    """First and last input row whose gradient for output (cell, cell) of `name` is nonzero
    (its last call: a block's relu runs twice)."""
    outputs = []
    handle = net.get_submodule(name).register_forward_hook(lambda m, i, o: outputs.append(o))
    x = torch.rand(1, 3, SIZE, SIZE, dtype=torch.float64) + 0.5  # (N, C, H, W)
    x.requires_grad_(True)
    try:
        net(x)
    finally:
        handle.remove()
    outputs[-1][0, 0, cell, cell].backward()
    rows = torch.nonzero(x.grad[0].abs().sum(0).sum(1)).flatten().tolist()
    return rows[0], rows[-1]


@pytest.mark.parametrize("name", CHECKED)
def test_resnet18_fields_match_autograd(positive_net, name):
    table = preset_table("resnet18-transfer", (3, SIZE, SIZE))
    row = [r for r in table.rows if r.name == name][-1]
    height, width = row.field
    assert height == width
    cell = row.out_shape[1] // 2  # a central cell: its field lies inside the input
    first = cell * height.jump + height.start
    assert first >= 0 and first + height.size <= SIZE
    assert gradient_box(positive_net, name, cell) == (first, first + height.size - 1)


def test_resnet18_stem_numbers_are_the_papers():
    rows = {row.name: row for row in preset_table("resnet18-transfer").rows}
    assert (rows["conv1"].field[0].size, rows["maxpool"].field[0].size) == (7, 11)
    assert rows["fc"].field is None
