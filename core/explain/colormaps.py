"""Colormaps as 256-entry lookup tables, so heatmaps need no matplotlib at run time.

viridis, inferno and magma are perceptually uniform with monotonic lightness (the anchors are
matplotlib's, sampled every 8th of 256 entries and interpolated linearly, within 2/255);
`gray` is the identity ramp; `diverging` (ColorBrewer RdBu, blue-white-red) is for signed
values centred on zero.
"""

from __future__ import annotations

from functools import cache

import numpy as np

_ANCHORS: dict[str, tuple[tuple[int, int, int], ...]] = {
    "viridis": (
        (68, 1, 84),
        (71, 13, 96),
        (72, 24, 106),
        (72, 35, 116),
        (71, 45, 123),
        (69, 55, 129),
        (66, 64, 134),
        (62, 73, 137),
        (59, 82, 139),
        (55, 91, 141),
        (51, 99, 141),
        (47, 107, 142),
        (44, 114, 142),
        (41, 122, 142),
        (38, 130, 142),
        (35, 137, 142),
        (33, 145, 140),
        (31, 151, 139),
        (31, 159, 136),
        (33, 166, 133),
        (39, 173, 129),
        (49, 181, 123),
        (61, 188, 116),
        (76, 194, 108),
        (92, 200, 99),
        (110, 206, 88),
        (129, 211, 77),
        (149, 216, 64),
        (170, 220, 50),
        (192, 223, 37),
        (213, 226, 26),
        (234, 229, 26),
        (253, 231, 37),
    ),
    "inferno": (
        (0, 0, 4),
        (4, 3, 18),
        (11, 7, 36),
        (21, 11, 55),
        (33, 12, 74),
        (47, 10, 91),
        (61, 9, 101),
        (74, 12, 107),
        (87, 16, 110),
        (100, 21, 110),
        (113, 25, 110),
        (125, 30, 109),
        (138, 34, 106),
        (151, 39, 102),
        (163, 44, 97),
        (176, 49, 91),
        (188, 55, 84),
        (198, 61, 77),
        (208, 69, 69),
        (218, 78, 60),
        (227, 89, 51),
        (235, 100, 41),
        (241, 113, 31),
        (246, 126, 20),
        (249, 140, 10),
        (251, 155, 6),
        (252, 170, 15),
        (251, 186, 31),
        (249, 201, 50),
        (245, 217, 73),
        (242, 232, 101),
        (243, 245, 134),
        (252, 255, 164),
    ),
    "magma": (
        (0, 0, 4),
        (3, 3, 18),
        (10, 8, 34),
        (19, 13, 52),
        (29, 17, 71),
        (41, 17, 90),
        (54, 16, 107),
        (68, 15, 118),
        (81, 18, 124),
        (93, 23, 127),
        (106, 28, 129),
        (118, 33, 129),
        (131, 38, 129),
        (144, 42, 129),
        (156, 46, 127),
        (170, 51, 125),
        (183, 55, 121),
        (194, 59, 117),
        (207, 64, 112),
        (219, 71, 106),
        (229, 80, 100),
        (238, 91, 94),
        (244, 105, 92),
        (249, 120, 93),
        (251, 135, 97),
        (253, 150, 104),
        (254, 165, 113),
        (254, 180, 123),
        (254, 194, 135),
        (254, 209, 148),
        (253, 224, 161),
        (252, 238, 176),
        (252, 253, 191),
    ),
    "gray": ((0, 0, 0), (255, 255, 255)),
    "diverging": (
        (5, 48, 97),
        (32, 101, 171),
        (67, 147, 195),
        (144, 196, 221),
        (209, 229, 240),
        (247, 246, 246),
        (253, 219, 199),
        (243, 164, 129),
        (214, 96, 77),
        (177, 24, 43),
        (103, 0, 31),
    ),
}

COLORMAPS: tuple[str, ...] = tuple(_ANCHORS)
"""Names accepted by `lut` and `apply_colormap`, default first."""

DIVERGING = "diverging"
"""The map for signed values (saliency signs, filter weights): 0 sits in the white middle."""


@cache
def lut(name: str) -> np.ndarray:
    """The (256, 3) uint8 lookup table of a colormap."""
    if name not in _ANCHORS:
        raise ValueError(f"Unknown colormap {name!r}; choose one of {', '.join(COLORMAPS)}.")
    anchors = np.asarray(_ANCHORS[name], dtype=np.float64)  # (K, 3)
    where = np.linspace(0.0, 1.0, len(anchors))
    x = np.linspace(0.0, 1.0, 256)
    table = np.stack([np.interp(x, where, anchors[:, c]) for c in range(3)], axis=1)
    table = np.round(table).astype(np.uint8)  # (256, 3)
    table.setflags(write=False)
    return table


def apply_colormap(unit_values: np.ndarray, name: str = "viridis") -> np.ndarray:
    """Map values in [0, 1] (clipped; NaN → 0) to RGB uint8, shape (..., 3)."""
    values = np.nan_to_num(np.asarray(unit_values, dtype=np.float64), nan=0.0)
    index = np.clip(np.round(values * 255.0), 0, 255).astype(np.intp)
    return lut(name)[index]
