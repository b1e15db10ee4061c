"""Where the bundled assets live, so every caller finds them the same way."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR = Path(os.environ.get("CNN_TUI_ASSETS", Path(__file__).resolve().parent.parent / "data"))
"""The repository's `data/` folder: CC0 photos and exercise presets (override: CNN_TUI_ASSETS)."""

PHOTO_SUFFIXES = (".png", ".jpg", ".jpeg")


def bundled_photos() -> dict[str, Path]:
    """The built-in photos by name (file stem), e.g. {"chelsea": .../data/chelsea.png}."""
    if not DATA_DIR.is_dir():
        return {}
    return {
        path.stem: path
        for path in sorted(DATA_DIR.iterdir())
        if path.suffix.lower() in PHOTO_SUFFIXES
    }
