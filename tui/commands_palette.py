"""Command-palette entries that reach every workspace and the help screen, and a palette
whose Enter runs the top match even when typed before the matches are shown."""

from __future__ import annotations

from functools import partial

from textual import on
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets import Input
from textual.worker import Worker, WorkerState

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


class TopMatchPalette(CommandPalette):
    """Textual's palette, except that Enter typed while the matches are still being gathered
    waits for them and runs the top one ("train" + Enter at full speed opens Train)."""

    enter_pending = False
    """Enter came while the search for the typed text was still running."""

    def _searching(self) -> bool:
        return any(
            worker.group == self._GATHER_COMMANDS_GROUP
            and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
            for worker in self.workers
        )

    @on(Input.Changed)
    def _typed(self) -> None:
        self.enter_pending = False

    @on(Input.Submitted)
    def _submitted_early(self, event: Input.Submitted) -> None:
        """Hold an early Enter until the search finishes; otherwise let the palette act."""
        if self._searching() and event.value.strip():
            self.enter_pending = True
            event.stop()
            event.prevent_default()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if (
            self.enter_pending
            and event.worker.group == self._GATHER_COMMANDS_GROUP
            and event.state == WorkerState.SUCCESS
            and not self._searching()
        ):
            self.enter_pending = False
            self._select_or_command()
