"""Colours for 256-colour terminals: the nearest xterm palette entry in CIELAB, not a grey.

Over SSH COLORTERM is usually missing, so images, heatmaps and overlays are drawn with the
xterm palette's colour cube and grey ramp (entries 16–255; 0–15 are left out because terminals
redefine them). Nearness is measured in CIELAB (ΔE76), which follows what the eye sees far
better than RGB distance. Pure numpy, vectorised over many colours at once.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

CUBE_LEVELS = (0, 95, 135, 175, 215, 255)
"""The six channel levels of xterm's 6×6×6 colour cube (entries 16–231)."""

FIRST_INDEX = 16
"""The palette entry of the first colour offered (0–15 vary between terminals)."""

_CHUNK = 4096
"""Colours matched per step: keeps the (chunk, 240) distance table at a few MB."""


@lru_cache(maxsize=1)
def palette_rgb() -> np.ndarray:
    """xterm entries 16–255 as a uint8 (240, 3) array: the colour cube, then 24 greys."""
    levels = np.array(CUBE_LEVELS, dtype=np.uint8)
    red, green, blue = np.meshgrid(levels, levels, levels, indexing="ij")
    cube = np.stack([red.ravel(), green.ravel(), blue.ravel()], axis=1)  # (216, 3)
    greys = np.repeat((8 + 10 * np.arange(24, dtype=np.uint8))[:, None], 3, axis=1)  # (24, 3)
    return np.concatenate([cube, greys]).astype(np.uint8)


@lru_cache(maxsize=1)
def palette_lab() -> np.ndarray:
    """The same entries in CIELAB, float64 (240, 3)."""
    return rgb_to_lab(palette_rgb())


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB uint8 (..., 3) to CIELAB (D65 white) float64 (..., 3)."""
    unit = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(unit <= 0.04045, unit / 12.92, ((unit + 0.055) / 1.055) ** 2.4)
    matrix = np.array(
        [
            [0.4124564, 0.3575761, 0.1804375],
            [0.2126729, 0.7151522, 0.0721750],
            [0.0193339, 0.1191920, 0.9503041],
        ]
    )
    xyz = linear @ matrix.T / np.array([0.95047, 1.0, 1.08883])  # (..., 3) relative to white
    delta = 6 / 29
    f = np.where(xyz > delta**3, np.cbrt(xyz), xyz / (3 * delta**2) + 4 / 29)
    lightness = 116 * f[..., 1] - 16
    a = 500 * (f[..., 0] - f[..., 1])
    b = 200 * (f[..., 1] - f[..., 2])
    return np.stack([lightness, a, b], axis=-1)


def nearest_index(rgb: np.ndarray) -> np.ndarray:
    """The xterm entry (16–255) nearest in CIELAB to each colour of a uint8 (..., 3) array."""
    colours = np.asarray(rgb, dtype=np.uint8)
    flat = colours.reshape(-1, 3)
    lab = rgb_to_lab(flat)  # (N, 3)
    table = palette_lab()  # (240, 3)
    table_sq = (table**2).sum(axis=1)  # (240,)
    out = np.empty(len(flat), dtype=np.int64)
    for start in range(0, len(flat), _CHUNK):
        part = lab[start : start + _CHUNK]  # (n, 3)
        distance = table_sq[None, :] - 2 * part @ table.T  # (n, 240), |x|² left out: same per row
        out[start : start + _CHUNK] = distance.argmin(axis=1)
    return (out + FIRST_INDEX).reshape(colours.shape[:-1])


def index_rgb(index: np.ndarray | int) -> np.ndarray:
    """The RGB uint8 colour(s) of xterm entries 16–255."""
    return palette_rgb()[np.asarray(index) - FIRST_INDEX]


def to_palette(rgb: np.ndarray) -> np.ndarray:
    """An RGB uint8 (..., 3) image as a 256-colour terminal will show it (nearest entries)."""
    return index_rgb(nearest_index(rgb))


def delta_e76(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """CIELAB ΔE76 (Euclidean distance in L*a*b*) between two RGB uint8 (..., 3) arrays."""
    return np.linalg.norm(rgb_to_lab(first) - rgb_to_lab(second), axis=-1)
