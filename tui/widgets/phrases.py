"""A Static whose text wraps only between phrases (runs separated by two spaces).

A line of settings such as "s stride 1  p padding 0  r ReLU on" wrapped at any space split a
setting from its key ("… r" / "ReLU on"); here each phrase stays whole on one line, and a
phrase wider than the widget is left to the usual wrapping.
"""

from __future__ import annotations

from textual.content import Content
from textual.markup import MarkupError
from textual.widgets import Static

SEPARATOR = "  "
"""What separates two phrases in the markup given to `update`."""


def pack(markup: str, width: int) -> str:
    """The markup with line breaks between phrases so no line is wider than `width` cells."""
    lines = []
    for line in markup.split("\n"):
        phrases = line.split(SEPARATOR)
        try:
            sizes = [Content.from_markup(phrase).cell_length for phrase in phrases]
        except MarkupError:  # a tag spans two phrases: the line wraps as usual
            lines.append(line)
            continue
        packed: list[str] = []
        used = 0
        for phrase, size in zip(phrases, sizes, strict=True):
            if packed and used + len(SEPARATOR) + size > width:
                lines.append(SEPARATOR.join(packed))
                packed, used = [], 0
            used += (len(SEPARATOR) if packed else 0) + size
            packed.append(phrase)
        lines.append(SEPARATOR.join(packed))
    return "\n".join(lines)


class PhraseLine(Static):
    """Static for markup made of phrases joined by two spaces; it breaks lines between them."""

    markup_source = ""
    """The markup as given, packed again whenever the width changes."""
    layout_on_update = True
    """Whether the last update may change the widget's size (Static.update's `layout`)."""

    def update(self, content="", *, layout: bool = True) -> None:
        self.markup_source, self.layout_on_update = str(content), layout
        self._show()

    def on_resize(self) -> None:
        self._show()

    def _show(self) -> None:
        width = self.content_size.width or self.app.size.width
        super().update(pack(self.markup_source, max(1, width)), layout=self.layout_on_update)
