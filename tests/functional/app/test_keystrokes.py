"""Keys typed at full speed all land where they were typed (Pilot): 1,000 characters into each
live-validated field, reached by Tab and cleared with End and ctrl+u in the same burst, so a
key binding or a focus change racing the keys after it would lose or misdirect them."""

from __future__ import annotations

import random

import pytest
from textual.widgets import Input

from tests.helpers.keys import type_at_full_speed
from tui.app import make_app
from tui.config import AppConfig

TYPED = 1000

FIELDS = {
    "2": ["f-in_size", "f-out_size", "f-kernel", "f-stride", "f-padding", "f-dilation"],
    "3": ["f-epochs", "f-batch_size"],
}
"""Per workspace key, live-validated fields in Tab order from the arrival focus (both check
or solve once typing pauses, never touching a field's text)."""


@pytest.mark.parametrize("key", sorted(FIELDS))
async def test_thousand_keys_at_full_speed_land_in_every_field(tmp_path, key):
    rng = random.Random(key)
    app = make_app(AppConfig(runs_dir=tmp_path / "runs"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(key)
        await pilot.pause(0.3)
        assert app.focused.id == FIELDS[key][0]
        burst, typed = [], {}
        for index, field in enumerate(FIELDS[key]):
            typed[field] = "".join(rng.choice("0123456789") for _ in range(TYPED))
            burst += (["tab"] if index else []) + ["end", "ctrl+u", *typed[field]]
        await type_at_full_speed(pilot, burst)
        got = {field: app.screen.query_one(f"#{field}", Input).value for field in typed}
        assert got == typed


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["1", "2", "backspace", "5"], "15"),
        (["a", "b", "backspace", "backspace", "c"], "c"),
        (["1", "2", "3", "ctrl+u", "4"], "4"),
        (["1", "2", "3", "home", "0", "end", "9"], "01239"),
        (["7", "left", "8", "delete"], "8"),
    ],
)
async def test_editing_keys_act_between_the_characters_typed_around_them(tmp_path, keys, expected):
    """Backspace, ctrl+u, Home/End and the arrows in a burst act exactly where they were typed
    (a field's bindings run from its own queue, behind the characters before them)."""
    app = make_app(AppConfig(runs_dir=tmp_path / "runs"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("a")  # the Conv lab's answer box
        await pilot.pause()
        field = app.screen.query_one("#field-answer", Input)
        assert app.focused is field
        await type_at_full_speed(pilot, keys, settle=0.3)
        assert field.value == expected
