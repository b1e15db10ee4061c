"""Where the bundled assets live, so every caller finds them the same way."""

from __future__ import annotations

import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_CHECKOUT_DATA = _HERE.parent / "data"  # the repository's data/ (a checkout or editable install)
_INSTALLED_DATA = _HERE / "bundled"  # where a wheel puts data/ (see setup.py)

DATA_DIR = Path(
    os.environ.get("CNN_TUI_ASSETS")
    or (_INSTALLED_DATA if _INSTALLED_DATA.is_dir() else _CHECKOUT_DATA)
)
"""The bundled assets: CC0 photos with their attribution, the built-in course packs and the
course template (override: CNN_TUI_ASSETS)."""

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
