"""Gradient traces without their zero terms still add up to the PyTorch gradient."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.convlab.conv import ConvError
from core.convlab.matrix import parse_number
from core.convlab.problem import solve
from tests.unit.convlab.helpers import numbers, problems, torch_solve


def shown_sum(expression: str) -> Fraction:
    """Add up "a·b + c·d" (numbers may be written "(−1/2)")."""
    total = Fraction(0)
    for term in expression.split(" + "):
        product = Fraction(1)
        for factor in term.split("·"):
            product *= parse_number(factor.strip("()"))
        total += product
    return total


def terms_of(text: str) -> str:
    """The expression between "label = " and " = value"."""
    return text.split(" = ")[1] if text.count(" = ") == 2 else "0"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=problems(), data=st.data())
def test_compact_traces_sum_to_the_autograd_gradient(case, data):
    problem, _ = case
    try:
        final = solve(problem).final
    except ConvError:
        return
    target = tuple(tuple(tuple(data.draw(numbers) for _ in row) for row in m) for m in final)
    problem = dataclasses.replace(problem, target=target)
    back = solve(problem).backward
    oracle = torch_solve(problem)
    channels = len(problem.x)
    for k, traces in enumerate(back.weight_traces):
        grads = oracle.grad_weight[k].flatten()  # (C·kH·kW,) in the order of the traces
        for trace, expected in zip(traces, grads, strict=True):
            compact = trace.arithmetic(compact=True)
            full_terms = len(trace.expression.split(" + "))
            shown = 0 if not trace.zeros else len(trace.short.split(" + ")) if trace.short else 0
            assert shown_sum(terms_of(compact)) == trace.value
            assert abs(float(trace.value) - float(expected)) < 1e-9
            if terms_of(compact) != "0":
                assert all(shown_sum(t) != 0 for t in terms_of(compact).split(" + "))
            if trace.zeros:
                assert shown + trace.zeros == full_terms
                assert compact.endswith("left out)")
    grads = oracle.grad_input.flatten()  # (C·H·W,)
    assert (
        len(back.input_traces) == len(grads) == channels * len(problem.x[0]) * len(problem.x[0][0])
    )
    for trace, expected in zip(back.input_traces, grads):
        assert shown_sum(terms_of(trace.arithmetic(compact=True))) == trace.value
        assert abs(float(trace.value) - float(expected)) < 1e-9
