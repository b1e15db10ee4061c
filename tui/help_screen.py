"""The help overlay: Markdown from tui/help/, for the current workspace and the whole app."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown

HELP_DIR = Path(__file__).parent / "help"


def help_text(topic: str) -> str:
    """The Markdown help for a workspace id (or "home"), followed by the app-wide keys."""
    parts = []
    topic_file = HELP_DIR / f"{topic}.md"
    if topic != "home" and topic_file.is_file():
        parts.append(topic_file.read_text(encoding="utf-8"))
    parts.append((HELP_DIR / "home.md").read_text(encoding="utf-8"))
    return "\n\n---\n\n".join(parts)


class HelpScreen(ModalScreen[None]):
    """Help for the workspace it was opened from."""

    BINDINGS = [
        Binding("escape,q,f1,question_mark", "dismiss", "Close help", tooltip="Back to work."),
    ]
    """Any of the help keys closes help again."""

    def __init__(self, topic: str) -> None:
        super().__init__()
        self.topic = topic

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Markdown(help_text(self.topic), id="help-markdown")
        yield Footer()

    def action_dismiss(self) -> None:
        self.dismiss(None)
