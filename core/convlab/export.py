"""A solved worked example as plain JSON data (the `cnn-tui conv --json` contract)."""

from __future__ import annotations

from core.convlab.check import CheckResult
from core.convlab.conv import ConvStep, unread, unread_note
from core.convlab.matrix import matrix_to_json, to_json
from core.convlab.problem import Solution


def solution_to_json(solution: Solution, check: CheckResult | None = None) -> dict:
    """{"outputs": [...], "pooled"?, "loss"?, "grad_*"?, "check"?} — see README."""
    forward = solution.forward
    data: dict = {
        "input_shape": [len(forward.padded), *_shape_unpadded(solution)],
        "padding": list(forward.pads),
        "outputs": [],
    }
    rows, columns = unread(forward)
    data["unread"] = {"rows": list(rows), "columns": list(columns), "note": unread_note(forward)}
    for k, result in enumerate(forward.results):
        entry = {
            "kernel": [matrix_to_json(m) for m in result.kernel],
            "applied_kernel": [matrix_to_json(m) for m in result.applied],
            "bias": to_json(result.bias),
            "pre_activation": matrix_to_json(result.pre_activation),
            "output": matrix_to_json(result.output),
            "steps": [_step(step) for step in result.steps],
        }
        if solution.pooled is not None:
            entry["pooled"] = matrix_to_json(solution.pooled[k].output)
            entry["pool_steps"] = [
                {
                    "out": list(s.out),
                    "cells": [[r, c] for r, c, _ in s.cells],
                    "value": to_json(s.value),
                    "argmax": list(s.argmax) if s.argmax else None,
                    "divisor": s.divisor,
                    "text": s.arithmetic(),
                }
                for s in solution.pooled[k].steps
            ]
        data["outputs"].append(entry)
    if solution.pooled is not None:
        data["pooled"] = [matrix_to_json(p.output) for p in solution.pooled]
    back = solution.backward
    if back is not None:
        data["loss"] = None if back.loss is None else to_json(back.loss)
        data["grad_final"] = [matrix_to_json(m) for m in back.grad_final]
        if solution.pooled is not None:
            data["grad_before_pool"] = [matrix_to_json(m) for m in back.grad_output]
        data["grad_pre_activation"] = [matrix_to_json(m) for m in back.grad_pre]
        data["grad_weight"] = [[matrix_to_json(m) for m in kernel] for kernel in back.grad_weight]
        data["grad_bias"] = [to_json(v) for v in back.grad_bias]
        data["grad_input"] = [matrix_to_json(m) for m in back.grad_input]
        data["grad_steps"] = {
            "pool": [[t.arithmetic() for t in traces] for traces in back.output_traces],
            "weight": [[t.arithmetic() for t in traces] for traces in back.weight_traces],
            "bias": [t.arithmetic() for t in back.bias_traces],
            "input": [t.arithmetic() for t in back.input_traces],
        }
    if check is not None:
        data["check"] = {
            "quantity": check.quantity,
            "correct": check.correct,
            "wrong_cells": [list(cell) for cell in check.wrong_cells],
            "diagnosis": check.diagnosis,
            "explained_by": list(check.explained_by),
        }
    return data


def _step(step: ConvStep) -> dict:
    return {
        "out": list(step.out),
        "window": [
            {
                "channel": t.channel,
                "row": t.row,
                "col": t.col,
                "x": to_json(t.x),
                "w": to_json(t.w),
                "padding": t.padding,
                "source": list(t.source) if t.source else None,
            }
            for t in step.terms
        ],
        "products": [to_json(t.product) for t in step.terms],
        "sum": to_json(step.total),
        "bias": to_json(step.bias),
        "pre_activation": to_json(step.pre_activation),
        "output": to_json(step.output),
        "text": step.arithmetic(),
    }


def _shape_unpadded(solution: Solution) -> list[int]:
    return [len(solution.problem.x[0]), len(solution.problem.x[0][0])]
