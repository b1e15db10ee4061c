"""The explain workspace (not built yet: it says so instead of pretending)."""

from __future__ import annotations

from textual.app import ComposeResult

from tui.workspace_screen import ComingPanel, WorkspaceScreen


class ExplainScreen(WorkspaceScreen):
    """Placeholder until issue 7 lands."""

    WORKSPACE = "explain"

    def compose_body(self) -> ComposeResult:
        yield ComingPanel("explain", 7)
