"""256-colour mapping: nearest xterm entry in CIELAB against a brute-force oracle; photos."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.assets import bundled_photos
from core.data.images import load_image, resize_rgb
from tui.widgets.xterm256 import delta_e76, nearest_index, to_palette


def xterm_rgb(index: int) -> tuple[int, int, int]:
    """xterm's own definition of entries 16–255 (cube levels 0, 95, 135, …; greys 8 + 10k)."""
    if index >= 232:
        level = 8 + 10 * (index - 232)
        return level, level, level
    cube = index - 16
    levels = [0] + [55 + 40 * step for step in range(1, 6)]
    return levels[cube // 36], levels[(cube // 6) % 6], levels[cube % 6]


def lab(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    """CIELAB (D65) of one sRGB colour, written out scalar by scalar from the CIE formulas."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def test_nearest_entry_matches_brute_force_over_random_colours():
    rng = np.random.default_rng(7)
    colours = rng.integers(0, 256, size=(400, 3), dtype=np.uint8)
    table = {index: lab(xterm_rgb(index)) for index in range(16, 256)}
    got = nearest_index(colours)
    for colour, index in zip(colours.tolist(), got.tolist()):
        target = lab(tuple(colour))
        distances = {i: math.dist(target, entry) for i, entry in table.items()}
        best = min(distances.values())
        assert distances[index] == pytest.approx(best, abs=1e-9), (colour, index)


def test_palette_colours_map_to_themselves_and_shape_is_kept():
    entries = np.array([xterm_rgb(i) for i in range(16, 256)], dtype=np.uint8)
    assert nearest_index(entries).tolist() == list(range(16, 256))
    image = entries[:12].reshape(3, 4, 3)
    assert nearest_index(image).shape == (3, 4)
    assert np.array_equal(to_palette(image), image)


def test_delta_e_of_white_and_black_is_lightness_100():
    assert delta_e76(np.array([255, 255, 255]), np.array([0, 0, 0])) == pytest.approx(100, abs=0.01)


@pytest.mark.parametrize("name", sorted(bundled_photos()))
def test_each_bundled_photo_stays_within_delta_e_15(name):
    image, _ = load_image(name)
    shown = resize_rgb(image, round(image.shape[0] * 120 / image.shape[1]), 120)
    assert delta_e76(shown, to_palette(shown)).mean() <= 15
