"""The frame every workspace shares: header, body, footer, help and the way home."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Header, Static

from tui.widgets.footer import HomeFirstFooter
from tui.workspaces import BY_ID


class WorkspaceScreen(Screen):
    """Base for workspace screens; subclasses set WORKSPACE and implement compose_body().

    Escape leads Home from any widget of a workspace through the app's priority binding
    (`CnnTuiApp.escape_leads_home`); the screen keeps every field for when you come back.
    """

    WORKSPACE = "home"
    """Id of the workspace in tui.workspaces (selects the title and the help file)."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield from self.compose_body()
        yield HomeFirstFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        workspace = BY_ID.get(self.WORKSPACE)
        if workspace is not None:
            self.title = workspace.title
            self.sub_title = f"exercises {workspace.exercises}"


class ComingPanel(Static):
    """Says plainly that a workspace is not built yet, and what it will do."""

    DEFAULT_CSS = """
    ComingPanel {
        margin: 1 2;
        padding: 1 2;
        border: round $warning;
        height: auto;
    }
    """

    def __init__(self, workspace_id: str, issue: int) -> None:
        workspace = BY_ID[workspace_id]
        super().__init__(
            f"[b]{workspace.title}[/b] — coming (tracked as issue {issue}).\n\n"
            f"It will cover exercises {workspace.exercises}: {workspace.purpose.lower()}.\n"
            "Nothing here works yet; press Escape to go back.",
            id="coming",
        )
