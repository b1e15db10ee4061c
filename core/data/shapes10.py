"""Shapes-10: a synthetic, seeded, offline stand-in for CIFAR-10 when the real data is absent.

Ten visually distinct classes — six filled shapes and four textured patches — drawn at a random
position, size and rotation, in a random colour on a random shaded background, with pixel
noise. Generation is vectorised numpy (one pass per class), so 12,000 images take about a
second, and the same seed always gives the same images.
"""

from __future__ import annotations

import numpy as np

CLASSES = (
    "circle",
    "square",
    "triangle",
    "ring",
    "cross",
    "diamond",
    "stripes",
    "bars",
    "checker",
    "dots",
)
"""Class names in label order; stripes run horizontally and bars vertically (±15°)."""

SIZE = 32  # image side in pixels
NOISE_STD = 14.0  # Gaussian pixel noise, in uint8 levels


def generate(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` images (N, 32, 32, 3) uint8 with balanced labels (N,) int64, fixed by `seed`."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(count, dtype=np.int64) % len(CLASSES))  # (N,)
    images = np.empty((count, SIZE, SIZE, 3), dtype=np.uint8)
    for label in range(len(CLASSES)):
        index = np.flatnonzero(labels == label)
        if index.size:
            images[index] = _draw_class(label, index.size, rng)
    return images, labels


def _draw_class(label: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` images of one class, (n, 32, 32, 3) uint8."""
    radius = rng.uniform(7.0, 12.5, size=(n, 1, 1)).astype(np.float32)  # figure size, pixels
    reach = SIZE / 2 - radius[:, None]  # (n, 1, 1, 1) keeps most of the figure inside
    centre = rng.uniform(-0.9, 0.9, size=(n, 2, 1, 1)).astype(np.float32) * reach
    base_angle = np.pi / 4 if label == 5 else 0.0  # a diamond is a square turned 45°
    angle = (base_angle + rng.uniform(-np.pi / 12, np.pi / 12, size=(n, 1, 1))).astype(np.float32)
    grid = np.arange(SIZE, dtype=np.float32) - (SIZE - 1) / 2  # pixel centres, origin in middle
    dx = grid[None, None, :] - centre[:, 0]  # (n, 1, 32) broadcast over rows
    dy = grid[None, :, None] - centre[:, 1]  # (n, 32, 1)
    u = np.cos(angle) * dx + np.sin(angle) * dy  # (n, 32, 32) figure-aligned coordinates
    v = -np.sin(angle) * dx + np.cos(angle) * dy  # (n, 32, 32)
    mask = _mask(label, u, v, radius, rng)  # (n, 32, 32) bool
    background, foreground = _colours(n, rng)  # (n, 3) each
    shade = rng.uniform(-0.25, 0.25, size=(n, 2, 1, 1)).astype(np.float32)  # light gradient
    light = (
        1.0 + shade[:, 0] * grid[None, None, :] / SIZE + shade[:, 1] * grid[None, :, None] / SIZE
    )  # (n, 32, 32)
    canvas = background[:, None, None, :].astype(np.float32) * light[..., None]  # (n, 32, 32, 3)
    canvas = np.where(mask[..., None], foreground[:, None, None, :], canvas)
    canvas += NOISE_STD * rng.standard_normal(size=canvas.shape, dtype=np.float32)
    return np.clip(np.rint(canvas), 0, 255).astype(np.uint8)


def _mask(label: int, u: np.ndarray, v: np.ndarray, r: np.ndarray, rng) -> np.ndarray:
    """Pixels covered by the figure of class `label`; `r` is its size, (n, 1, 1)."""
    n = u.shape[0]
    dist = np.hypot(u, v)
    window = np.maximum(np.abs(u), np.abs(v)) <= r * 0.85  # square patch holding a texture
    period = rng.uniform(3.2, 5.0, size=(n, 1, 1)).astype(np.float32)  # texture period, pixels
    phase = rng.uniform(0.0, 2 * np.pi, size=(n, 2, 1, 1)).astype(np.float32)
    wave_u = np.cos(2 * np.pi * u / period + phase[:, 0])
    wave_v = np.cos(2 * np.pi * v / period + phase[:, 1])
    if label == 0:
        return dist <= r
    if label in (1, 5):
        return window
    if label == 2:
        normals = np.deg2rad([270.0, 30.0, 150.0])  # outward normals of the three edges
        inside = [u * np.cos(a) + v * np.sin(a) <= r / 2 for a in normals]
        return inside[0] & inside[1] & inside[2]
    if label == 3:
        return (dist <= r) & (dist >= r * 0.55)
    if label == 4:
        arm = r * 0.3
        return ((np.abs(u) <= arm) & (np.abs(v) <= r)) | ((np.abs(v) <= arm) & (np.abs(u) <= r))
    if label == 6:
        return window & (wave_v > 0)
    if label == 7:
        return window & (wave_u > 0)
    if label == 8:
        return window & (wave_u * wave_v > 0)
    return window & (wave_u > 0.45) & (wave_v > 0.45)


def _colours(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Background and foreground RGB (n, 3) float, at least 90 levels apart (Euclidean)."""
    background = rng.uniform(0, 255, size=(n, 3))
    foreground = rng.uniform(0, 255, size=(n, 3))
    close = np.linalg.norm(foreground - background, axis=1) < 90
    foreground[close] = 255 - background[close]
    still_close = np.linalg.norm(foreground - background, axis=1) < 90
    foreground[still_close] = np.where(background[still_close] > 127, 20.0, 235.0)
    return background, foreground
