"""Phrase lines break only between phrases and never run past the width."""

from __future__ import annotations

import pytest
from textual.content import Content

from tui.widgets.phrases import SEPARATOR, pack

PHRASES = [f"[b reverse] {key} [/] {text}" for key, text in [
    ("s", "stride 1"), ("p", "padding 0"), ("m", "zeros"), ("c", "correlation"),
    ("d", "dilation 1"), ("r", "ReLU on"), ("o", "pool none"), ("t", "MSE target"),
    ("space", "play 0.5s"),
]]  # fmt: skip


@pytest.mark.parametrize("width", [30, 58, 78, 118, 200])
def test_phrases_stay_whole_and_lines_fit(width):
    packed = pack(SEPARATOR.join(PHRASES), width)
    lines = packed.split("\n")
    assert [p for line in lines for p in line.split(SEPARATOR)] == PHRASES
    assert all(Content.from_markup(line).cell_length <= width for line in lines)
    whole = Content.from_markup(SEPARATOR.join(PHRASES)).cell_length
    assert (len(lines) == 1) == (whole <= width)


def test_a_line_whose_tags_span_phrases_is_left_as_it_is():
    markup = "[b]one  two[/]\n[i]a[/]  [i]b[/]"
    assert pack(markup, 3) == "[b]one  two[/]\n[i]a[/]\n[i]b[/]"
