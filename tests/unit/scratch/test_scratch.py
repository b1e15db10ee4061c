"""Scratch Linear / Conv2d against nn.Linear / nn.Conv2d and autograd as the oracle."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from core.arch.spec import build_module
from core.errors import UserError
from core.models.zoo import PRESETS
from core.scratch.layers import (
    VARIANTS,
    ScratchConv2d,
    ScratchLinear,
    build_scratch_module,
    set_variant,
)

torch.set_num_threads(1)


def _grads(module: nn.Module, x: torch.Tensor, upstream: torch.Tensor) -> list[torch.Tensor]:
    """Output and gradients of sum(output * upstream) w.r.t. the input and every parameter."""
    x = x.clone().requires_grad_(True)
    y = module(x)
    (y * upstream).sum().backward()
    return [y.detach(), x.grad] + [p.grad for p in module.parameters()]


@settings(max_examples=30, deadline=None)
@given(
    batch=st.integers(1, 5),
    in_features=st.integers(1, 12),
    out_features=st.integers(1, 12),
    bias=st.booleans(),
    variant=st.sampled_from(VARIANTS),
    seed=st.integers(0, 2**16),
)
def test_linear_matches_nn_linear_and_autograd(
    batch, in_features, out_features, bias, variant, seed
):
    torch.manual_seed(seed)
    reference = nn.Linear(in_features, out_features, bias=bias).double()
    scratch = ScratchLinear(in_features, out_features, bias=bias, variant=variant).double()
    scratch.load_state_dict(reference.state_dict())
    x = torch.randn(batch, in_features, dtype=torch.float64)
    upstream = torch.randn(batch, out_features, dtype=torch.float64)
    for got, want in zip(_grads(scratch, x, upstream), _grads(reference, x, upstream), strict=True):
        torch.testing.assert_close(got, want)


@st.composite
def conv_cases(draw):
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    height = draw(st.integers(max(1, kernel[0] - 2 * padding[0]), 9))
    width = draw(st.integers(max(1, kernel[1] - 2 * padding[1]), 9))
    return {
        "batch": draw(st.integers(1, 3)),
        "in_channels": draw(st.integers(1, 4)),
        "out_channels": draw(st.integers(1, 4)),
        "kernel": kernel,
        "stride": stride,
        "padding": padding,
        "size": (height, width),
        "bias": draw(st.booleans()),
    }


@settings(max_examples=40, deadline=None)
@given(case=conv_cases(), variant=st.sampled_from(VARIANTS), seed=st.integers(0, 2**16))
def test_conv_matches_nn_conv2d_and_autograd(case, variant, seed):
    torch.manual_seed(seed)
    args = (case["in_channels"], case["out_channels"], case["kernel"])
    options = {"stride": case["stride"], "padding": case["padding"], "bias": case["bias"]}
    reference = nn.Conv2d(*args, **options).double()
    scratch = ScratchConv2d(*args, **options, variant=variant).double()
    scratch.load_state_dict(reference.state_dict())
    x = torch.randn(case["batch"], case["in_channels"], *case["size"], dtype=torch.float64)
    upstream = torch.randn_like(reference(x))
    for got, want in zip(_grads(scratch, x, upstream), _grads(reference, x, upstream), strict=True):
        torch.testing.assert_close(got, want)


def test_int_stride_and_padding_match_nn_conv2d():
    reference = nn.Conv2d(2, 3, 3, stride=2, padding=1)
    scratch = ScratchConv2d(2, 3, 3, stride=2, padding=1, variant="loop")
    scratch.load_state_dict(reference.state_dict())
    x = torch.randn(2, 2, 7, 7)
    torch.testing.assert_close(scratch(x), reference(x))


@pytest.mark.parametrize(
    ("scratch_type", "torch_type", "args"),
    [(ScratchLinear, nn.Linear, (7, 5)), (ScratchConv2d, nn.Conv2d, (3, 4, 3))],
)
def test_state_dict_loads_both_ways_and_init_matches_pytorch(scratch_type, torch_type, args):
    torch.manual_seed(3)
    reference = torch_type(*args)
    torch.manual_seed(3)
    scratch = scratch_type(*args)
    assert scratch.state_dict().keys() == reference.state_dict().keys()
    for key, value in reference.state_dict().items():
        torch.testing.assert_close(scratch.state_dict()[key], value)
    torch.manual_seed(4)
    other = scratch_type(*args)
    reference.load_state_dict(other.state_dict())
    torch.testing.assert_close(reference.weight, other.weight)


@pytest.mark.parametrize("variant", VARIANTS)
def test_scratch_network_loads_the_preset_state_dict(variant):
    layers = PRESETS["lenet-8-16"].layers()
    torch.manual_seed(0)
    reference = build_module(layers)
    scratch = build_scratch_module(layers, variant)
    assert scratch.state_dict().keys() == reference.state_dict().keys()
    assert not any(isinstance(m, (nn.Linear, nn.Conv2d)) for m in scratch.modules())
    scratch.load_state_dict(reference.state_dict())
    x = torch.randn(3, 3, 32, 32)
    torch.testing.assert_close(scratch(x), reference(x), rtol=1e-4, atol=1e-5)


def test_set_variant_switches_every_scratch_layer():
    scratch = build_scratch_module(PRESETS["lenet5"].layers(), "loop")
    set_variant(scratch, "vectorised")
    variants = {m.variant for m in scratch.modules() if hasattr(m, "variant")}
    assert variants == {"vectorised"}


def test_unknown_variant_and_too_small_input_are_user_errors():
    with pytest.raises(UserError, match="loop"):
        ScratchLinear(2, 2, variant="fast")
    conv = ScratchConv2d(1, 1, 5)
    with pytest.raises(UserError, match="kernel"):
        conv(torch.zeros(1, 1, 3, 3))
