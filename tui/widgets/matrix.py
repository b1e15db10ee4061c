"""A small exact matrix on screen: window highlight, padding marks, wrong cells, hidden cells.

A picture with `signs` (quiz mode) gets one more character beside every cell for its sign
(✓ right, ✗ wrong, * revealed, blank), so a copy of the screen keeps what colours say.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.widgets import Static

from core.convlab.matrix import fmt

Cell = tuple[int, int]


@dataclass(frozen=True)
class MatrixPicture:
    """What one MatrixView shows; cells are (row, column)."""

    title: str
    values: tuple[tuple[Fraction, ...], ...]
    window: frozenset[Cell] = frozenset()  # cells of the current window
    padding: frozenset[Cell] = frozenset()  # cells that are padding, not input
    current: Cell | None = None  # the cell being computed
    wrong: frozenset[Cell] = frozenset()  # cells of an answer that are wrong
    marked: frozenset[Cell] = frozenset()  # e.g. the argmax of a max pool
    hidden: frozenset[Cell] = frozenset()  # not computed yet: shown as ·, width kept
    hidden_mark: str = "·"  # quiz mode: "?", the student's turn
    signs: tuple[tuple[Cell, str], ...] | None = None  # quiz mode: ✓ ✗ * beside the cells


class MatrixView(Static):
    """Renders a MatrixPicture as aligned, right-justified columns with styled cells."""

    COMPONENT_CLASSES = {
        "matrix--title",
        "matrix--window",
        "matrix--padding",
        "matrix--current",
        "matrix--wrong",
        "matrix--marked",
    }
    """Cell styles, so themes decide the colours."""

    DEFAULT_CSS = """
    MatrixView {
        width: auto;
        height: auto;
        padding: 0 1;
        margin: 0 1 0 0;
        border: round $foreground 30%;
    }
    MatrixView > .matrix--title { text-style: bold; }
    MatrixView > .matrix--window { background: $accent 40%; text-style: bold; }
    MatrixView > .matrix--padding { text-style: italic dim; }
    MatrixView > .matrix--current { background: $primary 60%; text-style: bold; }
    MatrixView > .matrix--wrong { background: $error 50%; text-style: bold strike; }
    MatrixView > .matrix--marked { text-style: bold underline; }
    """
    """Cell backgrounds are blended over the widget's own and get a contrasting text colour;
    other numbers use the theme's text colour (readable in dark and light themes)."""

    def __init__(self, picture: MatrixPicture | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.picture = picture

    def show(self, picture: MatrixPicture) -> None:
        self.picture = picture
        self.update(self.render_picture(picture))

    def on_mount(self) -> None:
        if self.picture is not None:
            self.update(self.render_picture(self.picture))

    def render_picture(self, picture: MatrixPicture) -> Text:
        texts = [[fmt(v) for v in row] for row in picture.values]
        width = max((len(t) for row in texts for t in row), default=1)
        for i, j in picture.hidden:
            texts[i][j] = picture.hidden_mark
        signs = dict(picture.signs or ())
        styles = {name: self._style(name) for name in self.COMPONENT_CLASSES}
        text = Text()
        text.append(picture.title + "\n", style=styles["matrix--title"])
        for i, row in enumerate(texts):
            for j, value in enumerate(row):
                text.append(" ")
                text.append(value.rjust(width), style=_cell_style(picture, (i, j), styles))
                if picture.signs is not None:
                    text.append(signs.get((i, j), " "))
            text.append("\n" if i < len(texts) - 1 else "")
        return text

    def _style(self, name: str) -> Style:
        style = self.get_component_rich_style(name, partial=True)
        component = self.get_component_styles(name)
        if not component.has_rule("background"):
            return style
        _, base = self.background_colors
        background = base + component.background  # (alpha blended)
        text = max((WHITE, BLACK), key=lambda c: _contrast(c, background))
        return style + Style(bgcolor=background.rich_color, color=text.rich_color)


WHITE, BLACK = Color(255, 255, 255), Color(0, 0, 0)


def _cell_style(picture: MatrixPicture, cell: Cell, styles: dict[str, Style]) -> Style:
    """The cell's component styles combined, the current cell's last (it wins)."""
    style = Style()
    for name, cells in (
        ("matrix--padding", picture.padding),
        ("matrix--window", picture.window),
        ("matrix--marked", picture.marked),
        ("matrix--wrong", picture.wrong),
    ):
        if cell in cells:
            style += styles[name]
    if cell == picture.current:
        style += styles["matrix--current"]
    return style


def _contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio of two colours (1 … 21)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _luminance(color: Color) -> float:
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        for c in (color.r / 255, color.g / 255, color.b / 255)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
