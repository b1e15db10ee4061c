"""Home: the list of workspaces, what each is for, and the keys that open them."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from tui.config import terminal_has_truecolor
from tui.workspaces import WORKSPACES


def workspace_prompt(key: str, title: str, exercises: str, purpose: str) -> Text:
    """One Home entry: key, title and exercises on the first line, purpose below."""
    text = Text()
    text.append(f" {key} ", style="bold reverse")
    text.append(f"  {title}", style="bold")
    text.append(f"   {exercises}\n", style="dim")
    text.append(f"      {purpose}")
    return text


class HomeScreen(Screen):
    """The first screen: pick a workspace by key, arrow keys + Enter, mouse, or ctrl+p."""

    BINDINGS = [
        Binding("q", "app.quit", "Quit", tooltip="Leave cnn-tui (runs keep training)."),
    ]
    """Home adds quit; the workspace keys 1-8 and F1 are app-wide."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            "Pick a workspace: its key, or arrows + Enter.  [b]F1[/b] help · [b]ctrl+p[/b] commands",
            id="home-intro",
        )
        yield OptionList(
            *(
                Option(workspace_prompt(w.key, w.title, w.exercises, w.purpose), id=w.id)
                for w in WORKSPACES
            ),
            id="workspaces",
        )
        yield Static(id="color-notice")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "cnn-tui"
        self.sub_title = "Home"
        notice = self.query_one("#color-notice", Static)
        if self.app.truecolor_forced or terminal_has_truecolor():
            notice.display = False
        else:
            notice.update(
                "256 colours: COLORTERM is unset (usual over SSH). "
                "Truecolor terminal? Start [b]cnn-tui --truecolor[/b]"
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.app.action_workspace(event.option.id)
