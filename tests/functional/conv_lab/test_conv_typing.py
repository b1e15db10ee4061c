"""The Conv lab's editors typed at full speed: every key is kept, and the exercise is solved
once the keys pause instead of once per key."""

from __future__ import annotations

import random

import torch
import torch.nn.functional as F

from tests.functional.conv_lab.test_conv_lab import open_lab, settled
from tests.helpers.keys import type_at_full_speed


def keys(text: str) -> list[str]:
    names = {" ": "space", ";": "semicolon", "-": "minus"}
    return [names.get(c, c) for c in text]


async def test_fast_typing_is_solved_once_it_pauses_and_loses_nothing(tmp_path):
    app, running = await open_lab(tmp_path)
    async with running as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("e", "ctrl+l")  # the input x, cleared
        before = screen.solves
        typed = "1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16"
        await pilot.press(*keys(typed))
        assert screen.inputs.input == typed  # every key kept at once
        assert screen.solves - before < len(typed) // 4  # not once per key
        await settled(pilot, screen)
        assert screen.query_one("#field-input").text == typed  # as typed, until Enter
        x = torch.arange(1.0, 17).reshape(1, 1, 4, 4)
        assert screen.solution.problem.x == tuple(
            tuple(tuple(int(v) for v in row) for row in m) for m in x[0].tolist()
        )
        w = torch.tensor([[1.0, 0], [0, 1]])[None, None]  # the A1 preset's first kernel
        assert F.conv2d(x, w).shape[-2:] == screen.solution.forward.out_shape


async def test_enter_in_an_editor_solves_at_once(tmp_path):
    app, running = await open_lab(tmp_path)
    async with running as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("e", "ctrl+l", *keys("1 2; 3 4"), "enter")
        assert screen.pending is None  # no waiting for the pause
        assert screen.solution.problem.x == (((1, 2), (3, 4)),)
        await pilot.pause()
        assert screen.query_one("#field-input").text == "1 2\n3 4"  # one row per line
        assert screen.inputs.input == "1 2; 3 4" and app.focused.id == "conv-stage"


async def test_a_burst_into_the_input_keeps_every_key_and_enter_steps_on(tmp_path):
    """e, ctrl+l, eight rows of eight numbers, Enter and two step keys, all sent at once from
    the stage: every key lands in the input, Enter lays the rows out one per line and the
    arrows after it step."""
    rng = random.Random(8)
    rows = [" ".join(str(rng.randint(-9, 99)) for _ in range(8)) for _ in range(8)]
    typed = "; ".join(rows)
    app, running = await open_lab(tmp_path)
    async with running as pilot:
        await pilot.pause()
        screen = app.screen
        burst = ["e", "ctrl+l", *keys(typed), "enter", "right", "right"]
        await type_at_full_speed(pilot, burst)
        assert screen.inputs.input == typed and screen.pending is None
        assert screen.query_one("#field-input").text == "\n".join(rows)
        assert app.focused.id == "conv-stage" and screen.cursor == 2
        x = torch.tensor([[float(v) for v in row.split()] for row in rows])  # (8, 8)
        assert screen.solution.problem.x == (tuple(tuple(int(v) for v in r) for r in x.tolist()),)


async def test_a_burst_into_the_bias_and_enter_steps_on(tmp_path):
    """Tab to the bias from the input x, clear it, type a new one, Enter and two step keys,
    all sent at once: the bias is taken, solved at once, and the arrows after Enter step."""
    app, running = await open_lab(tmp_path)
    async with running as pilot:
        await pilot.pause()
        screen = app.screen
        burst = ["e", "tab", "tab", "end", "ctrl+u", "minus", "3", "enter", "right", "right"]
        await type_at_full_speed(pilot, burst)
        assert screen.query_one("#field-biases").value == "-3"
        assert screen.inputs.biases == "-3" and screen.pending is None
        assert app.focused.id == "conv-stage" and screen.cursor == 2
        x = torch.tensor([[float(v) for v in row] for row in screen.solution.problem.x[0]])
        w = torch.tensor([[float(v) for v in r] for r in screen.solution.problem.kernels[0][0]])
        expected = F.conv2d(x[None, None], w[None, None]) - 3.0  # before the ReLU
        result = screen.solution.forward.results[0]
        assert result.bias == -3
        got = [[float(v) for v in row] for row in result.pre_activation]
        assert got == expected[0, 0].tolist()
