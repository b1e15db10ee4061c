"""The train workspace (not built yet: it says so instead of pretending)."""

from __future__ import annotations

from textual.app import ComposeResult

from tui.workspace_screen import ComingPanel, WorkspaceScreen


class TrainScreen(WorkspaceScreen):
    """Placeholder until issue 6 lands."""

    WORKSPACE = "train"

    def compose_body(self) -> ComposeResult:
        yield ComingPanel("train", 6)
