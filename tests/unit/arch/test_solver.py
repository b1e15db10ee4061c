"""The solver: bounded and analytic, checked against brute force and PyTorch's output sizes."""

from __future__ import annotations

import itertools
import signal
import time
from contextlib import contextmanager

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from core.arch.shapes import AxisLayer, ShapeError, output_size
from core.arch.solver import FIELDS, MAX_SOLUTIONS, solve
from tests.unit.arch.test_formulas import printed_result, torch_module
from tests.unit.arch.test_shapes import torch_height

BOX = 16  # brute force searches every value up to this


@contextmanager
def time_limit(seconds: float):
    """Fail (instead of hanging) when the block runs longer than `seconds`."""

    def expire(signum, frame):
        raise TimeoutError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def brute(known, blanks, d, kind, ceil, extra):
    """Every assignment of the blanks up to BOX that PyTorch's rule accepts and that fits."""
    ranges = {"in_size": range(1, BOX + 1), "kernel": range(1, BOX + 1)}
    ranges |= {"stride": range(1, BOX + 1), "padding": range(0, BOX + 1)}
    found = set()
    for values in itertools.product(*(ranges[name] for name in blanks if name != "out_size")):
        full = known | dict(zip([b for b in blanks if b != "out_size"], values))
        limit = full["kernel"] // 2 if kind == "pool" else d * (full["kernel"] - 1)
        if "padding" in blanks and full["padding"] > limit:
            continue
        layer = AxisLayer(full["kernel"], full["stride"], full["padding"], d, kind, ceil, extra)
        try:
            out = output_size(full["in_size"], layer).out_size
        except ShapeError:
            continue
        if full.get("out_size", out) == out:
            found.add(tuple((full | {"out_size": out})[name] for name in FIELDS))
    return found


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, BOX),
    st.integers(1, 6),
    st.integers(1, 4),
    st.integers(0, 3),
    st.integers(1, 3),
    st.sampled_from(["conv", "pool", "transposed"]),
    st.booleans(),
    st.data(),
)
def test_solver_agrees_with_brute_force_and_pytorch(n, k, s, p, d, kind, ceil, data):
    torch.set_num_threads(1)
    ceil = ceil and kind == "pool"
    if kind == "pool" and 2 * p > k:
        return
    try:
        out = output_size(n, AxisLayer(k, s, p, d, kind, ceil)).out_size
    except ShapeError:
        return
    full = {"in_size": n, "out_size": out, "kernel": k, "stride": s, "padding": p}
    blanks = data.draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=2, unique=True))
    if {"in_size", "out_size"} <= set(blanks):
        return
    known = {name: value for name, value in full.items() if name not in blanks}
    with time_limit(5):
        solved = solve(known, dilation=d, kind=kind, ceil_mode=ceil)
    for solution in solved.solutions:
        module = torch_module(solution.kernel, solution.stride, solution.padding, d, kind, ceil, 0)
        device = "cpu" if kind == "transposed" else "meta"
        assert torch_height(module, solution.in_size, device) == solution.out_size
        assert printed_result(solution.fit.formula) == solution.out_size
        assert {n: v for n, v in solution.as_dict().items() if n in known} == known
    assert len(solved.solutions) <= MAX_SOLUTIONS
    expected = brute(known, blanks, d, kind, ceil, 0)
    searched = [FIELDS.index(name) for name in blanks if name != "out_size"]

    def in_box(row) -> bool:
        return all(row[i] <= BOX for i in searched)

    listed = {tuple(solution.as_dict().values()) for solution in solved.solutions}
    assert {row for row in listed if in_box(row)} <= expected
    if expected:
        assert solved.solutions
    if not solved.truncated:
        assert {row for row in listed if in_box(row)} == expected
    bounded = all(high is not None and high <= BOX for _, high in solved.ranges.values())
    complete = bounded and "search" not in solved.note
    for name, (low, high) in solved.ranges.items():
        values = [row[FIELDS.index(name)] for row in expected]
        if name == "out_size" or not values:
            continue
        assert low <= min(values) and (high is None or high >= max(values))
        if complete:
            assert (low, high) == (min(values), max(values))
    if solved.total is not None and complete and "out_size" in known:
        assert solved.total == len(expected)


@pytest.mark.parametrize(
    "known",
    [
        {"in_size": 10**9, "out_size": 2, "kernel": 3, "padding": 0},  # the audit's hang
        {"in_size": 10**9, "out_size": 2, "kernel": 3},  # two blanks: MemoryError before
        {"in_size": 10**9, "out_size": 7, "stride": 1},
        {"out_size": 10**9, "kernel": 3, "stride": 2},
        {"in_size": 10**12, "out_size": 10**6, "padding": 0},
        {"in_size": 10**12, "kernel": 3, "padding": 0},
    ],
)
def test_huge_values_solve_in_milliseconds(known):
    started = time.perf_counter()
    with time_limit(10):
        solved = solve(known)
    assert time.perf_counter() - started < 2  # measured: about a millisecond (bench: calc)
    assert solved.solutions and len(solved.solutions) <= MAX_SOLUTIONS
    for solution in solved.solutions[:5]:
        layer = AxisLayer(solution.kernel, solution.stride, solution.padding)
        assert output_size(solution.in_size, layer).out_size == solution.out_size


def test_ranges_are_reported_for_the_billion_cell_stride():
    solved = solve({"in_size": 10**9, "out_size": 2, "kernel": 3, "padding": 0})
    low, high = solved.ranges["stride"]
    # out = ⌊(10⁹ − 3)/s⌋ + 1 = 2  ⇔  (10⁹ − 3)/2 < s ≤ 10⁹ − 3
    assert (low, high) == ((10**9 - 3) // 2 + 1, 10**9 - 3)
    assert solved.total == high - low + 1 and solved.truncated
    assert solved.solutions[0].stride == 10**9 - 3 and solved.solutions[0].fit.exact
    assert "499,999,999" in solved.note


def test_stride_without_end_when_one_output_cell_is_wanted():
    solved = solve({"in_size": 5, "out_size": 1, "kernel": 3, "padding": 0})
    assert solved.ranges["stride"] == (3, None) and solved.total is None
    assert "stride ≥ 3" in solved.note


def test_transposed_output_padding_is_solved():
    solved = solve(
        {"in_size": 3, "out_size": 6, "kernel": 3, "stride": 2, "padding": 1},
        kind="transposed",
        output_padding=None,
    )
    assert solved.unique and solved.solutions[0].output_padding == 1
    assert "output_padding" in solved.missing
    module = torch.nn.ConvTranspose2d(1, 1, 3, 2, 1, output_padding=1)
    assert module(torch.zeros(1, 1, 3, 3)).shape[-1] == 6
    assert printed_result(solved.solutions[0].fit.formula) == 6
    both = solve(
        {"in_size": 3, "out_size": 6, "kernel": 3, "padding": 1},
        kind="transposed",
        output_padding=None,
    )
    assert [(s.stride, s.output_padding) for s in both.solutions] == [(2, 1)]


def test_nothing_blank_that_does_not_fit_says_what_it_gives():
    solved = solve(
        {"in_size": 3, "out_size": 6, "kernel": 3, "stride": 2, "padding": 1}, kind="transposed"
    )
    assert not solved.solutions and "No nothing" not in solved.note
    assert "give an output of 5, not 6" in solved.note


def test_ceil_mode_wider_window_than_input_gives_one_cell_for_strides_beyond_the_overhang():
    solved = solve(
        {"in_size": 1, "out_size": 1, "kernel": 4, "padding": 0}, kind="pool", ceil_mode=True
    )  # the window overhangs the input by 3 cells: one output cell for every stride ≥ 4
    for solution in solved.solutions:
        module = torch.nn.MaxPool2d((4, 1), (solution.stride, 1), ceil_mode=True)
        assert torch_height(module, 1) == 1
    assert solved.ranges["stride"] == (4, None)
    with pytest.raises(RuntimeError):  # stride 3: no window left
        torch.nn.functional.max_pool2d(torch.zeros(1, 1, 1, 1), (4, 1), (3, 1), ceil_mode=True)


@pytest.mark.parametrize(
    ("known", "blanks", "dilation"),
    [  # found by the property test: ceil_mode windows wider than the padded input
        ({"in_size": 1, "out_size": 1, "padding": 1}, ("kernel", "stride"), 3),
        ({"in_size": 1, "out_size": 1, "padding": 0}, ("kernel", "stride"), 1),
        ({"out_size": 1, "kernel": 4, "padding": 1}, ("in_size", "stride"), 3),
    ],
)
def test_ceil_mode_overhang_with_two_blanks_agrees_with_brute_force(known, blanks, dilation):
    solved = solve(known, dilation=dilation, kind="pool", ceil_mode=True)
    expected = brute(known, blanks, dilation, "pool", True, 0)
    assert solved.solutions and {tuple(s.as_dict().values()) for s in solved.solutions} & expected
    for name, (low, high) in solved.ranges.items():
        values = [row[FIELDS.index(name)] for row in expected]
        assert low == min(values) and high is None


def test_values_beyond_the_limit_are_refused_with_the_limit():
    with pytest.raises(ShapeError, match="between 1 and 1,000,000,000,000"):
        solve({"in_size": 10**13, "kernel": 3, "stride": 1, "padding": 0})
