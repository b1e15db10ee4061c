"""How far a 256-colour terminal's rendering of each bundled photo is from the truecolor one.

Usage: python bench/colour256.py [--width 120]
Each photo is resized to the cells a wide terminal gives it (`--width` columns, two pixel rows
per cell, aspect kept), then drawn as the app draws it without truecolor (the nearest xterm
entry in CIELAB, `tui.widgets.xterm256`) and, for comparison, as it used to be drawn (the grey
ramp by luma). Prints the mean and 95th-percentile CIELAB ΔE76 against the truecolor pixels.
ΔE ≈ 2.3 is a just-noticeable difference; the target for the palette rendering is ≤ 15.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.assets import bundled_photos  # noqa: E402
from core.data.images import load_image, resize_rgb  # noqa: E402
from tui.widgets.xterm256 import delta_e76, palette_rgb, to_palette  # noqa: E402

GREY_RAMP = (16, *range(232, 256), 231)
"""The grey ramp of the earlier rendering: black, xterm's 24 greys, white."""


def grey_rendering(rgb: np.ndarray) -> np.ndarray:
    """The earlier 256-colour rendering: Rec. 709 luma rounded onto the grey ramp."""
    luma = rgb.astype(np.float64) @ np.array([0.2126, 0.7152, 0.0722])  # (H, W)
    steps = np.rint(np.clip(luma / 255.0, 0, 1) * (len(GREY_RAMP) - 1)).astype(int)
    ramp = np.array(GREY_RAMP)[steps]  # (H, W) xterm entries
    table = np.zeros((256, 3), dtype=np.uint8)
    table[16:] = palette_rgb()
    return table[ramp]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=120, help="terminal columns (default 120)")
    args = parser.parse_args()
    print(f"photos resized to {args.width} columns (2 pixel rows per cell); ΔE76 vs truecolor")
    print(f"{'photo':<12}{'pixels':>10}{'palette mean':>14}{'p95':>8}{'grey mean':>12}{'p95':>8}")
    for name in bundled_photos():
        image, _ = load_image(name)
        height = max(2, round(image.shape[0] * args.width / image.shape[1]))
        shown = resize_rgb(image, height, args.width)  # (H, W, 3) what the cells hold
        palette = delta_e76(shown, to_palette(shown))
        grey = delta_e76(shown, grey_rendering(shown))
        print(
            f"{name:<12}{shown.shape[0] * shown.shape[1]:>10,}{palette.mean():>14.2f}"
            f"{np.percentile(palette, 95):>8.2f}{grey.mean():>12.2f}{np.percentile(grey, 95):>8.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
