"""Small dialogs of Monitor and Train: confirm, read a long message, pick a folder or a run."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option


class ConfirmScreen(ModalScreen[bool]):
    """Asks yes or no before something that cannot be undone (stop, delete, resume)."""

    CSS_PATH = "monitor.tcss"

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", tooltip="Go ahead."),
        Binding("n,escape", "answer(False)", "No", tooltip="Leave everything as it is."),
    ]
    """y confirms; n or Escape cancels."""

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, id="confirm-question")
            yield Label("[b]y[/b] yes    [b]n[/b] / Escape no")
        yield Footer()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class TextScreen(ModalScreen[None]):
    """A long text (a failure message and traceback), scrollable, closed by Escape."""

    CSS_PATH = "monitor.tcss"

    BINDINGS = [Binding("escape,q,m", "close", "Close", tooltip="Back to the monitor.")]
    """Escape, q or m (the key that opened it) closes the text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="text-body"):
            yield Static(self.text, markup=False, id="text-content")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)


class ExportScreen(ModalScreen[Path | None]):
    """Asks for the folder an export is written to (created when missing)."""

    CSS_PATH = "monitor.tcss"

    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Export nothing.")]
    """Enter in the field exports; Escape cancels."""

    def __init__(self, default: Path, count: int) -> None:
        super().__init__()
        self.default = default
        self.count = count

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                f"Export {self.count} run(s): a CSV of every epoch's metrics and a PNG of the "
                "accuracy and loss curves. Folder (Enter to write, Escape to cancel):"
            )
            yield Input(str(self.default), id="export-folder")
            yield Static(id="export-error")
        yield Footer()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.query_one("#export-error", Static).update("Type a folder name.")
            return
        self.dismiss(Path(text).expanduser())

    def action_cancel(self) -> None:
        self.dismiss(None)


class RunPickerScreen(ModalScreen[tuple[dict, str] | None]):
    """Lists the runs of the runs folder; Enter returns the chosen run's config and id."""

    CSS_PATH = "monitor.tcss"

    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Keep the form as it is.")]
    """Arrows + Enter pick a run; Escape cancels."""

    def __init__(self, runs_dir: Path) -> None:
        super().__init__()
        self.runs_dir = runs_dir

    def compose(self) -> ComposeResult:
        from core.runs import list_runs

        self.summaries = {s.id: s for s in reversed(list_runs(self.runs_dir))}
        with Vertical(classes="dialog"):
            yield Static(f"Same as which run? ({self.runs_dir})")
            if self.summaries:
                yield OptionList(
                    *(Option(f"{s.id}  {s.preset}  {s.state}  {s.epochs_done}/{s.epochs_total}", id=s.id)
                      for s in self.summaries.values()),
                    id="run-picker",
                )
            else:
                yield Static("No runs yet: launch one first.")
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        from core.runs import read_json

        run_dir = self.summaries[event.option.id].path
        config = read_json(run_dir / "config.json")
        self.dismiss((config, event.option.id) if isinstance(config, dict) else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
