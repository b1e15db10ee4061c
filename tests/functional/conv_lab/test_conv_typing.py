"""The Conv lab's editors typed at full speed: every key is kept, and the exercise is solved
once the keys pause instead of once per key."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from tests.functional.conv_lab.test_conv_lab import open_lab, settled


def keys(text: str) -> list[str]:
    return ["space" if c == " " else "semicolon" if c == ";" else c for c in text]


async def test_fast_typing_is_solved_once_it_pauses_and_loses_nothing(tmp_path):
    app, running = await open_lab(tmp_path)
    async with running as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("e", "ctrl+u")
        before = screen.solves
        typed = "1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16"
        await pilot.press(*keys(typed))
        assert screen.inputs.input == typed  # every key kept at once
        assert screen.solves - before < len(typed) // 4  # not once per key
        await settled(pilot, screen)
        assert screen.query_one("#field-input").value == typed
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
        await pilot.press("e", "ctrl+u", *keys("1 2; 3 4"), "enter")
        assert screen.pending is None  # no waiting for the pause
        assert screen.solution.problem.x == (((1, 2), (3, 4)),)
