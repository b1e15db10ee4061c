"""Quiz mode's state: hidden cells, single-cell checks in fractions or decimals, the common
mistake that gives a wrong value, reveal and score — against PyTorch's own numbers."""

from __future__ import annotations

from fractions import Fraction

import pytest
import torch
import torch.nn.functional as F

from core.convlab.matrix import TypedDecimal, parse_channels
from core.convlab.problem import solve
from core.convlab.quiz import Quiz
from core.exercises.conv_presets import conv_preset
from tests.unit.convlab.helpers import tensor
from tests.unit.convlab.test_conv_decimals import a4_gradient

torch.set_num_threads(1)


def a1_quiz(kernel: int = 0) -> tuple[Quiz, torch.Tensor, torch.Tensor]:
    """A1's output quiz, with PyTorch's output and its bias-less map for that kernel."""
    problem = conv_preset("a1").inputs.problem()
    x = tensor(problem.x).unsqueeze(0)
    w = tensor(problem.kernels[kernel]).unsqueeze(0)
    plain = F.conv2d(x, w)[0, 0]
    bias = float(problem.biases[kernel])
    return Quiz(solve(problem), "output", kernel), torch.relu(plain + bias), plain


def test_every_cell_starts_hidden_and_matches_pytorch_once_entered():
    quiz, out, _ = a1_quiz(1)
    assert quiz.hidden() == set(quiz.cells) and len(quiz.cells) == out.numel()
    for c, i, j in quiz.cells:
        verdict = quiz.enter((c, i, j), Fraction(int(out[i, j])))
        assert verdict.right and verdict.text.startswith("✓")
    assert quiz.done and quiz.all_right and quiz.score().startswith(f"{out.numel()}/")
    assert parse_channels(quiz.answer_text())[0] == tuple(
        tuple(Fraction(int(v)) for v in row) for row in out.tolist()
    )


def test_a_wrong_cell_stays_hidden_and_names_the_mistake_that_gives_it():
    quiz, out, plain = a1_quiz(0)
    cell = next(
        (0, i, j)
        for i in range(out.shape[0])
        for j in range(out.shape[1])
        if plain[i, j] != out[i, j]
    )
    _, i, j = cell
    verdict = quiz.enter(cell, Fraction(int(plain[i, j])))  # the bias left out
    assert not verdict.right and verdict.text.startswith("✗")
    assert "the bias left out" in verdict.text
    assert cell in quiz.hidden() and quiz.first_try[cell] is False
    assert quiz.enter(cell, Fraction(int(out[i, j]))).right  # a second try counts as solved
    assert cell not in quiz.hidden() and quiz.first_try[cell] is False
    assert quiz.score().startswith(f"0/{out.numel()} right first try")


def test_decimals_are_accepted_when_rounded_as_typed():
    problem, grad = a4_gradient()
    quiz = Quiz(solve(problem), "grad_weight")
    assert quiz.enter((0, 0, 0), TypedDecimal("7.33")).right  # 22/3
    assert "≈ 22/3" in quiz.enter((0, 0, 0), TypedDecimal("7.33")).text
    assert not quiz.enter((0, 0, 1), TypedDecimal("2.45")).right  # 22/9 = 2.444…
    assert quiz.enter((0, 1, 0), TypedDecimal(f"{grad[1, 0].item():.3f}")).right
    sign = quiz.enter((0, 1, 1), -Fraction(grad[1, 1].item()).limit_denominator(100))
    assert "the sign flipped" in sign.text


def test_reveal_shows_a_cell_and_counts_it():
    quiz, out, _ = a1_quiz(2)
    quiz.reveal((0, 0, 0))
    assert (0, 0, 0) not in quiz.hidden() and "1 revealed" in quiz.score()
    quiz.reveal_all()
    assert quiz.done and not quiz.all_right and quiz.score().endswith("done")
    assert quiz.value((0, 1, 1)) == Fraction(int(out[1, 1]))


def test_cells_outside_the_quantity_are_refused():
    quiz, _, _ = a1_quiz()
    with pytest.raises(ValueError):
        quiz.enter((0, 99, 0), Fraction(0))
