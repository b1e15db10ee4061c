"""The scratch_lab workspace (not built yet: it says so instead of pretending)."""

from __future__ import annotations

from textual.app import ComposeResult

from tui.workspace_screen import ComingPanel, WorkspaceScreen


class ScratchLabScreen(WorkspaceScreen):
    """Placeholder until issue 8 lands."""

    WORKSPACE = "scratch_lab"

    def compose_body(self) -> ComposeResult:
        yield ComingPanel("scratch_lab", 8)
