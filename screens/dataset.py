"""The dataset workspace (not built yet: it says so instead of pretending)."""

from __future__ import annotations

from textual.app import ComposeResult

from tui.workspace_screen import ComingPanel, WorkspaceScreen


class DatasetScreen(WorkspaceScreen):
    """Placeholder until issue 8 lands."""

    WORKSPACE = "dataset"

    def compose_body(self) -> ComposeResult:
        yield ComingPanel("dataset", 8)
