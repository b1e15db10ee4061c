"""Half-block rendering: exact cells for known arrays, resample-then-colour order, layouts."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.color import Color
from rich.console import Console

from core.explain.colormaps import lut
from tui.widgets.halfblock import (
    colorbar_lines,
    colorbar_text,
    grid_layout,
    map_pixels,
    rgb_to_text,
    tile_captions,
    wrap_words,
)


def cells(text):
    """(character, fg triplet, bg triplet) per cell of a one-line Text."""
    out = []
    for span_text, style in ((text.plain[s.start : s.end], s.style) for s in text.spans):
        for char in span_text:
            fg = style.color.triplet if style.color else None
            bg = style.bgcolor.triplet if style.bgcolor else None
            out.append((char, tuple(fg) if fg else None, tuple(bg) if bg else None))
    return out


def test_two_by_two_image_is_one_row_of_two_cells():
    rgb = np.array([[[255, 0, 0], [0, 255, 0]], [[0, 0, 255], [10, 20, 30]]], dtype=np.uint8)
    text = rgb_to_text(rgb)
    assert text.plain == "▀▀"
    assert cells(text) == [("▀", (255, 0, 0), (0, 0, 255)), ("▀", (0, 255, 0), (10, 20, 30))]


def test_odd_height_leaves_the_last_lower_half_empty():
    rgb = np.arange(3 * 1 * 3, dtype=np.uint8).reshape(3, 1, 3)
    text = rgb_to_text(rgb)
    assert text.plain == "▀\n▀"
    last = [span for span in text.spans][-1].style
    assert last.bgcolor is None and tuple(last.color.triplet) == (6, 7, 8)


def test_known_map_gives_exact_colormap_cells():
    values = np.array([[0.0, 1.0], [2.0, 4.0]], dtype=np.float32)
    pixels = map_pixels(values, rows=1, cols=2, lo=0.0, hi=4.0, colormap="viridis")
    table = lut("viridis")
    expected = np.array([[table[0], table[64]], [table[128], table[255]]])
    np.testing.assert_array_equal(pixels, expected)
    assert cells(rgb_to_text(pixels)) == [
        ("▀", tuple(table[0]), tuple(table[128])),
        ("▀", tuple(table[64]), tuple(table[255])),
    ]


def test_values_are_resampled_before_colour_mapping():
    checker = np.indices((8, 8)).sum(axis=0) % 2  # 0/1 checkerboard, mean 0.5
    pixels = map_pixels(checker.astype(np.float32), rows=1, cols=1, lo=0, hi=1, colormap="viridis")
    table = lut("viridis")
    mid = table[128].astype(int)
    averaged_colours = (table[0].astype(int) + table[255].astype(int)) // 2
    assert np.abs(pixels[0, 0].astype(int) - mid).max() <= 3
    assert np.abs(pixels[0, 0].astype(int) - averaged_colours).max() > 20


def test_256_colours_keep_the_colormap_not_grey():
    pixels = map_pixels(np.array([[0.0, 1.0]]), 1, 2, 0, 1, "viridis")
    text = rgb_to_text(pixels, truecolor=False)
    shown = [Color.from_ansi(span.style.color.number).get_truecolor() for span in text.spans]
    purple, yellow = shown  # viridis runs from dark purple to yellow
    assert purple.blue > purple.green and yellow.red > 150 and yellow.green > 150
    assert yellow.blue < 100  # a colour, not a grey
    red = rgb_to_text(np.array([[[220, 30, 30]]], dtype=np.uint8), truecolor=False)
    assert red.spans[0].style.color.number == 160  # xterm's (215, 0, 0)


def test_overlay_blends_with_alpha():
    image = np.full((4, 4, 3), 200, dtype=np.uint8)
    values = np.zeros((2, 2), dtype=np.float32)
    pixels = map_pixels(values, 2, 4, 0.0, 1.0, "gray", underlay=image, alpha=0.25)
    assert np.all(pixels == 150)


def test_colorbar_shows_the_real_bounds():
    text = colorbar_text(-0.0312, 12.5, 30, "inferno")
    assert text.plain.startswith("-0.0312 ") and text.plain.endswith(" 12.5")
    console = Console(width=40, color_system="truecolor", record=True)
    console.print(text)
    assert "48;2;0;0;4m" in console.export_text(styles=True)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 64),
    st.integers(2, 100),
    st.integers(2, 100),
    st.integers(8, 160),
    st.integers(4, 60),
)
def test_grid_layout_fits_the_box(count, h, w, width, height):
    layout = grid_layout(count, (h, w), width, height)
    assert layout.columns * layout.rows >= count
    if layout.tile_cols > 1:
        assert layout.columns * layout.tile_cols + layout.columns - 1 <= width
        assert layout.rows * (layout.tile_rows + 1) <= height


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.text("abcxyz.:[]0123456789×", min_size=1, max_size=12), min_size=1, max_size=8),
    st.integers(1, 40),
)
def test_wrapped_words_stay_whole_within_the_width(words, width):
    lines = wrap_words(" ".join(words), width)
    assert all(1 <= len(line) <= width for line in lines)
    if all(len(word) <= width for word in words):
        assert [word for line in lines for word in line.split()] == words  # whole, in order
    else:
        assert "".join(lines).replace(" ", "") == "".join(words)  # nothing dropped


def test_tile_captions_drop_the_shared_words_only_when_a_label_does_not_fit():
    labels = [f"layer4.1.conv2[{c}]" for c in range(12)]
    assert tile_captions(labels, 20) == [[label] for label in labels]
    assert tile_captions(labels, 8) == [[f"[{c}]"] for c in range(12)]
    pcs = ["layer3 PC1", "layer3 PC2", "layer3 PC3"]
    assert tile_captions(pcs, 6) == [["PC1"], ["PC2"], ["PC3"]]
    assert tile_captions(["saliency: tabby cat"], 10) == [["saliency:", "tabby cat"]]


def test_a_narrow_colour_bar_keeps_both_bounds_whole():
    assert [t.plain for t in colorbar_lines(-1.234e-5, 2.763e-4, 40)] == [
        colorbar_text(-1.234e-5, 2.763e-4, 40).plain
    ]
    lines = colorbar_lines(-1.234e-5, 2.763e-4, 16)
    assert lines[0].plain == " " * 16 and len(lines[0].spans) == 16  # the gradient alone
    assert " ".join(t.plain for t in lines[1:]).split() == ["-1.234e-05", "to", "0.0002763"]
