"""An evaluator for the formula text the app and the CLI print, used as a test oracle.

It reads what a student reads: whole numbers, + − (or -), · (or ×), /, parentheses, ⌊…⌋ and
⌈…⌉, in segments joined by "=". Division is exact (fractions), so a bracket that is printed
without its floor or ceiling and does not come out even is caught as a non-integer.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

TOKEN = re.compile(r"\s*(\d+|[-−+·×/()⌊⌋⌈⌉])")
CLOSE = {"(": ")", "⌊": "⌋", "⌈": "⌉"}


class FormulaError(ValueError):
    """Text that is not a formula of the accepted form."""


def tokens(text: str) -> list[str]:
    found, position = [], 0
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match:
            raise FormulaError(f"unexpected text at {text[position:]!r} in {text!r}")
        found.append(match.group(1))
        position = match.end()
    return found


def evaluate(text: str) -> Fraction:
    """The value of one segment, e.g. "⌊(7 + 2·0 − (2·(3 − 1) + 1)) / 1⌋ + 1"."""
    parts = tokens(text)
    value, rest = _sum(parts)
    if rest:
        raise FormulaError(f"left over {rest} in {text!r}")
    return value


def chain(text: str) -> list[Fraction]:
    """The value of every "="-separated segment of a formula, left to right."""
    return [evaluate(segment) for segment in text.split("=")]


def _sum(parts):
    value, parts = _product(parts)
    while parts and parts[0] in "+-−":
        sign, (term, parts) = parts[0], _product(parts[1:])
        value = value + term if sign == "+" else value - term
    return value, parts


def _product(parts):
    value, parts = _unary(parts)
    while parts and parts[0] in "·×/":
        op, (factor, parts) = parts[0], _unary(parts[1:])
        value = value / factor if op == "/" else value * factor
    return value, parts


def _unary(parts):
    if parts and parts[0] in "-−":
        value, rest = _unary(parts[1:])
        return -value, rest
    return _atom(parts)


def _atom(parts):
    if not parts:
        raise FormulaError("formula ends too early")
    head, rest = parts[0], parts[1:]
    if head.isdigit():
        return Fraction(int(head)), rest
    if head in CLOSE:
        value, rest = _sum(rest)
        if not rest or rest[0] != CLOSE[head]:
            raise FormulaError(f"{head} is not closed by {CLOSE[head]}")
        if head == "⌊":
            value = Fraction(math.floor(value))
        elif head == "⌈":
            value = Fraction(math.ceil(value))
        return value, rest[1:]
    raise FormulaError(f"unexpected {head!r}")
