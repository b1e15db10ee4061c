"""The Convolution lab's parameter toggles and its one-line summary of the settings."""

from __future__ import annotations

from core.convlab.inputs import LabInputs
from core.convlab.problem import Solution

CYCLES = {
    "stride": ("1", "2", "3"),
    "padding": ("0", "1", "2", "same"),
    "padding_mode": ("zeros", "reflect", "replicate", "circular"),
    "mode": ("correlation", "convolution"),
    "dilation": ("1", "2"),
    "activation": ("none", "relu"),
    "pool": ("none", "max", "avg"),
    "pool_kernel": ("2", "3", "4"),
    "pool_stride": ("", "1", "2", "3"),
}
"""What each toggle key steps through; a typed value not in the list restarts at the first."""

ANSWER_LABELS = {
    "output": "output",
    "pre_activation": "pre-activation",
    "pooled": "pooled output",
    "grad_weight": "dE/dw",
    "grad_bias": "dE/db",
    "grad_input": "dE/dx",
}


def cycle(values: tuple[str, ...], current: str) -> str:
    """The value after `current` (wrapping), or the first when `current` is not listed."""
    if current not in values:
        return values[0]
    return values[(values.index(current) + 1) % len(values)]


def next_value(inputs: LabInputs, name: str) -> str | bool:
    if name == "ceil_mode":
        return not inputs.ceil_mode
    return cycle(CYCLES[name], getattr(inputs, name))


def answer_quantities(solution: Solution) -> tuple[str, ...]:
    """What an answer can be checked against, given what is computed."""
    quantities = ["output", "pre_activation"]
    if solution.pooled is not None:
        quantities.insert(0, "pooled")
    if solution.backward is not None:
        quantities += ["grad_weight", "grad_bias", "grad_input"]
    return tuple(quantities)


def describe_inputs(inputs: LabInputs, view: str, speed: float, playing: bool) -> str:
    """The settings with the key that changes each, e.g. "s stride 1  p padding 0  ..."."""
    loss = "dE/do" if inputs.grad_output.strip() else "MSE target"
    parts = [
        ("s", f"stride {inputs.stride}"),
        ("p", f"padding {inputs.padding}"),
        ("m", inputs.padding_mode),
        ("c", inputs.mode),
        ("d", f"dilation {inputs.dilation}"),
        ("r", f"ReLU {'on' if inputs.activation == 'relu' else 'off'}"),
        ("o", f"pool {inputs.pool}"),
    ]
    if inputs.pool != "none":
        parts += [
            ("n", f"window {inputs.pool_kernel}"),
            ("j", f"stride {inputs.pool_stride or '= window'}"),
            ("u", f"ceil {'on' if inputs.ceil_mode else 'off'}"),
        ]
    parts += [("t", loss), ("space", f"{'pause' if playing else 'play'} {speed:g}s")]
    return "  ".join(f"[b reverse] {key} [/] {text}" for key, text in parts)
