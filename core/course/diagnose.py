"""The likely mistake behind a wrong calculator or layer-table answer: each common slip is
recomputed, and the one that gives the student's number is named."""

from __future__ import annotations

from fractions import Fraction
from math import ceil
from typing import Any

FORMULA = "out = ⌊(in + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1"
TRANSPOSED = "out = (in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1"


def calc_diagnosis(options: dict[str, Any], kind: str, asked: str, number: Fraction) -> str:
    if number.denominator != 1:
        return "Sizes are whole numbers: the division in the formula is rounded down (floor)."
    if asked == "out" and kind in ("conv", "pool"):
        for value, mistake in _output_slips(options):
            if value == number:
                return mistake
    formula = TRANSPOSED if kind == "transposed" else FORMULA
    return f"{number} does not satisfy the size formula, {formula}."


def _output_slips(options: dict[str, Any]):
    size, kernel = options["in"], options["kernel"]
    stride = options.get("stride") or 1
    padding = options.get("padding") or 0
    dilation = options.get("dilation") or 1
    span = dilation * (kernel - 1) + 1
    inner = size + 2 * padding - span
    yield inner // stride, "The + 1 of the formula is missing (it counts the first window)."
    if padding:
        yield (
            (size + padding - span) // stride + 1,
            ("The padding is counted once: it is added on both sides (2·padding)."),
        )
        yield (size - span) // stride + 1, "The padding is left out of the formula."
    if stride > 1:
        yield inner + 1, "The stride is left out: divide by it before adding 1."
        if inner % stride:
            yield ceil(inner / stride) + 1, "Rounded up: the division is rounded down (floor)."
    if dilation > 1:
        yield (
            (size + 2 * padding - kernel) // stride + 1,
            ("The dilation is left out: a dilated kernel spans dilation·(kernel − 1) + 1 cells."),
        )


def summary_diagnosis(table, asked: str, answer: Any, value: Any) -> str:
    if isinstance(value, tuple):
        if len(answer) != len(value):
            return f"The shape has {len(value)} numbers here, not {len(answer)}."
        if sorted(answer) == sorted(value):
            return "The right numbers in another order: shapes are written C,H,W (channels first)."
        return "Check each layer's output size with the size formula, layer by layer."
    rows = table.rows
    if asked in ("total_params", "trainable_params"):
        weights = sum(r.weights for r in rows)
        if answer == weights:
            return "Only the weights are counted: each layer's biases are missing."
        if answer == weights + 2 * sum(r.biases for r in rows):
            return "The biases are counted twice."
        if answer == sum(r.params for r in rows if r.type.startswith("Conv")):
            return "Only the convolutions are counted: the fully connected layers are missing."
        if answer == sum(r.params for r in rows if r.type == "Linear"):
            return "Only the fully connected layers are counted: the convolutions are missing."
        if asked == "total_params" and answer == table.trainable_params:
            return "That is the trainable count; frozen parameters count in the total too."
        return "Count weights (kernel·kernel·C_in·C_out) and biases (C_out) layer by layer."
    if asked.endswith(".params"):
        row = rows[int(asked.split("[")[1].split("]")[0])]
        if answer == row.weights:
            return "Only the weights are counted: the layer's biases are missing."
    return "Recompute it from the layer's input shape and arguments."
