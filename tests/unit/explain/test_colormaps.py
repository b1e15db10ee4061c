"""Colormap lookup tables against matplotlib's own maps, endpoints and lightness order."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.explain.colormaps import COLORMAPS, apply_colormap, lut

matplotlib = pytest.importorskip("matplotlib")


def lightness(rgb: np.ndarray) -> np.ndarray:
    """CIE L* of sRGB colours (independent of the module under test)."""
    c = rgb.astype(np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    y = linear @ np.array([0.2126, 0.7152, 0.0722])
    return np.where(y > (6 / 29) ** 3, 116 * np.cbrt(y) - 16, y * (29 / 3) ** 3)


@pytest.mark.parametrize("name", ["viridis", "inferno", "magma", "gray"])
def test_table_matches_matplotlib_within_two_levels(name):
    expected = np.round(matplotlib.colormaps[name](np.linspace(0, 1, 256))[:, :3] * 255)
    table = lut(name).astype(np.float64)
    assert table.shape == (256, 3)
    assert np.abs(table - expected).max() <= 2
    np.testing.assert_array_equal(table[0], expected[0])
    np.testing.assert_array_equal(table[-1], expected[-1])


@pytest.mark.parametrize("name", ["viridis", "inferno", "magma", "gray"])
def test_sequential_maps_have_increasing_lightness(name):
    values = lightness(lut(name))
    # uint8 rounding leaves dips below 0.1 L* (matplotlib's own uint8 viridis has them too)
    assert np.all(np.diff(values) > -0.1)
    assert np.all(np.diff(values[::8]) > 0)


def test_diverging_map_is_lightest_in_the_middle_and_matches_rdbu():
    table = lut("diverging")
    values = lightness(table)
    assert np.argmax(values) in (127, 128)
    assert np.all(np.diff(values[:128]) > 0) and np.all(np.diff(values[128:]) < 0)
    expected = np.round(matplotlib.colormaps["RdBu_r"](np.linspace(0, 1, 256))[:, :3] * 255)
    assert np.abs(table.astype(float) - expected).max() <= 12


def test_unknown_colormap_is_refused():
    with pytest.raises(ValueError, match="viridis"):
        lut("jet")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.one_of(st.floats(-2, 3), st.just(float("nan"))), min_size=1, max_size=30),
    st.sampled_from(COLORMAPS),
)
def test_apply_clips_and_indexes_the_table(values, name):
    array = np.array(values)
    coloured = apply_colormap(array, name)
    assert coloured.shape == (len(values), 3) and coloured.dtype == np.uint8
    expected_index = np.clip(np.round(np.nan_to_num(array, nan=0.0) * 255), 0, 255).astype(int)
    np.testing.assert_array_equal(coloured, lut(name)[expected_index])
