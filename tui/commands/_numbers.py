"""argparse types for numeric options: each accepts a bounded range and says it when refused."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

MAX_DIGITS = 12
"""Longest typed whole number (Python refuses to convert over 4,300 digits; no option needs 13)."""


def whole(low: int, high: int, why: str = "") -> Callable[[str], int]:
    """A type for an integer option in low..high; argparse turns a refusal into exit code 2."""

    def parse(text: str) -> int:
        digits = text.strip().lstrip("+-")
        if len(digits) > MAX_DIGITS:
            raise argparse.ArgumentTypeError(
                f"{_short(text)} has {len(digits)} digits; give a whole number in {low}..{high}"
                f"{why}"
            )
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{_short(text)} is not a whole number; give one in {low}..{high}{why}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is outside {low}..{high}{why}")
        return value

    return parse


def decimal(low: float, high: float, why: str = "") -> Callable[[str], float]:
    """A type for a finite decimal option in low..high."""

    def parse(text: str) -> float:
        try:
            value = float(text) if len(text) <= 40 else math.nan
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"{_short(text)} is not a number in {low:g}..{high:g}{why}"
            )
        return value

    return parse


def _short(text: str) -> str:
    return repr(text if len(text) <= 24 else text[:20] + "…")
