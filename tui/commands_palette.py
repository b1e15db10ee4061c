"""Command-palette entries that reach every workspace and the help screen."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.messages import OpenCourse, WorkspaceRequested
from tui.workspaces import WORKSPACES


class WorkspaceCommands(Provider):
    """Open any workspace, go Home, or open help, from ctrl+p."""

    def _entries(self):
        app = self.app
        yield "Home", "The list of workspaces", partial(app.action_workspace, "home")
        for workspace in WORKSPACES:
            yield (
                f"Open {workspace.title}",
                f"{workspace.exercises}: {workspace.purpose}",
                partial(app.action_workspace, workspace.id),
            )
        yield (
            "Open course…",
            "A course pack's sheet: tasks, points, your progress",
            partial(app.post_message, WorkspaceRequested("sheet")),
        )
        from core.course.builtin import builtin_names

        for name in builtin_names():
            yield (
                f"Open course {name}",
                "A built-in course pack on the Sheet",
                partial(app.post_message, WorkspaceRequested("sheet", OpenCourse(name))),
            )
        yield "Help", "Keys and how this workspace works", app.action_help

    async def discover(self) -> Hits:
        for title, help_text, callback in self._entries():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
