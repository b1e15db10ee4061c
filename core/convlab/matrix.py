"""Matrices typed as text ("1 0 2; 3 2 0", channels split by "|"), kept as exact Fractions."""

from __future__ import annotations

import re
from fractions import Fraction

from core.errors import UserError

Matrix = tuple[tuple[Fraction, ...], ...]
"""A 2-D matrix of exact numbers, row by row."""
Tensor3 = tuple[Matrix, ...]
"""Channels of equally sized matrices, (C, H, W)."""

MINUS = "\u2212"
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)(/\d+)?$")


MAX_SIDE = 64
"""Most rows or columns of a typed matrix: every cell's trace is worked out and drawn."""
MAX_CHANNELS = 16
"""Most channels of a typed tensor (and kernels of one example)."""
MAX_NUMBER_CHARS = 24
"""Longest typed number: the arithmetic is exact, so each digit makes every product longer."""


class MatrixError(UserError):
    """A matrix that cannot be read: ragged rows, a non-number, mismatched channels."""


class TypedDecimal(Fraction):
    """A number typed with a decimal point ("7.33"): its exact value, and how many decimals
    were typed, so an answer can be judged as rounded to that many places."""

    __slots__ = ("places",)

    def __new__(cls, text: str) -> TypedDecimal:
        number = super().__new__(cls, text)
        number.places = len(text.split(".", 1)[1]) if "." in text else 0
        return number

    def tolerance(self) -> Fraction:
        """Half a unit of the last typed decimal: 0.005 for "7.33"."""
        return Fraction(1, 2 * 10**self.places)


def parse_number(token: str, *, where: str = "") -> Fraction:
    """One exact number: integer, decimal ("0.5") or fraction ("1/3"); "−" works as minus."""
    text = token.strip().replace(MINUS, "-")
    if len(text) > MAX_NUMBER_CHARS:
        place = f" in {where}" if where else ""
        raise MatrixError(
            f"A number{place} has {len(text)} characters; the limit is {MAX_NUMBER_CHARS} "
            "(the arithmetic is exact, so long numbers make every product longer)."
        )
    if not _NUMBER.match(text):
        place = f" in {where}" if where else ""
        raise MatrixError(
            f"{token!r}{place} is not a number: use integers (3, -1), decimals (0.5) "
            "or fractions (1/3)."
        )
    if "/" in text:
        numerator, denominator = text.split("/")
        if Fraction(denominator) == 0:
            raise MatrixError(
                f"{token!r}{' in ' + where if where else ''} divides by zero: "
                "give a fraction with a non-zero denominator, e.g. 1/3."
            )
        return Fraction(numerator) / Fraction(denominator)
    return TypedDecimal(text) if "." in text else Fraction(text)


def parse_matrix(text: str, *, name: str = "matrix") -> Matrix:
    """Rows separated by ";" (or new lines), values by spaces or commas; brackets are ignored."""
    cleaned = text.replace("[", " ").replace("]", " ")
    rows = [row for row in re.split(r"[;\n]", cleaned) if row.strip()]
    if not rows:
        raise MatrixError(f'The {name} is empty: type rows such as "1 0 2; 3 2 0".')
    if len(rows) > MAX_SIDE:
        raise MatrixError(_too_big(name, f"{len(rows)} rows"))
    matrix = []
    for index, row in enumerate(rows):
        tokens = [token for token in re.split(r"[\s,]+", row.strip()) if token]
        if len(tokens) > MAX_SIDE:
            raise MatrixError(_too_big(name, f"{len(tokens)} columns"))
        where = f"row {index + 1} of the {name}"
        matrix.append(tuple(parse_number(token, where=where) for token in tokens))
    widths = {len(row) for row in matrix}
    if len(widths) > 1:
        counts = ", ".join(str(len(row)) for row in matrix)
        raise MatrixError(
            f"The {name} is ragged: its rows have {counts} values. Every row needs the same "
            "number of values."
        )
    return tuple(matrix)


def parse_channels(text: str, *, name: str = "matrix") -> Tensor3:
    """Channels separated by "|", each a matrix of the same size."""
    parts = text.split("|")
    if len(parts) > MAX_CHANNELS:
        raise MatrixError(
            f"The {name} has {len(parts)} channels; the Convolution lab works up to "
            f"{MAX_CHANNELS} (every channel's products are traced)."
        )
    channels = tuple(
        parse_matrix(part, name=f"{name} (channel {index + 1})" if len(parts) > 1 else name)
        for index, part in enumerate(parts)
    )
    sizes = {shape(channel) for channel in channels}
    if len(sizes) > 1:
        listed = ", ".join(f"{h}×{w}" for h, w in (shape(c) for c in channels))
        raise MatrixError(
            f"The channels of the {name} differ in size ({listed}): give every channel "
            "the same number of rows and columns."
        )
    return channels


def _too_big(name: str, count: str) -> str:
    return (
        f"The {name} has {count}; the Convolution lab works up to {MAX_SIDE}×{MAX_SIDE} "
        "(every cell's products are traced and drawn)."
    )


def parse_scalars(text: str, *, name: str = "bias") -> tuple[Fraction, ...]:
    """A list of numbers such as "-1 -1 0" (one per kernel)."""
    tokens = [token for token in re.split(r"[\s,;|]+", text.strip()) if token]
    return tuple(parse_number(token, where=f"the {name}") for token in tokens)


def shape(matrix: Matrix) -> tuple[int, int]:
    """(rows, columns)."""
    return len(matrix), len(matrix[0]) if matrix else 0


def fmt(value: Fraction | int) -> str:
    """Exact, compact: 3, −1, 1/2 (a true minus sign, as printed in the course sheets)."""
    value = Fraction(value)
    text = str(value.numerator)
    if value.denominator != 1:
        text += f"/{value.denominator}"
    return text.replace("-", MINUS)


def fmt_signed(value: Fraction | int) -> str:
    """A value as it appears after an operator: negatives in parentheses, "(−1)"."""
    return f"({fmt(value)})" if value < 0 else fmt(value)


def format_matrix(matrix: Matrix) -> str:
    """The matrix back in the input syntax, e.g. "1 0 2; 3 2 0" (ASCII minus, re-parsable)."""
    return "; ".join(" ".join(fmt(v).replace(MINUS, "-") for v in row) for row in matrix)


def format_channels(channels: Tensor3) -> str:
    """Channels back in the input syntax, separated by " | "."""
    return " | ".join(format_matrix(channel) for channel in channels)


def to_json(value: Fraction) -> int | float:
    """JSON number: integers stay integers, other fractions become floats."""
    return value.numerator if value.denominator == 1 else float(value)


def matrix_to_json(matrix: Matrix) -> list[list[int | float]]:
    return [[to_json(v) for v in row] for row in matrix]


def transpose(matrix: Matrix) -> Matrix:
    return tuple(zip(*matrix)) if matrix else matrix


def zeros(rows: int, cols: int) -> Matrix:
    return tuple(tuple(Fraction(0) for _ in range(cols)) for _ in range(rows))
