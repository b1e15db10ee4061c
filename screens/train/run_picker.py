"""Train's "Same as run…" dialog: pick a run of the runs folder to fill the form from."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option


class RunPickerScreen(ModalScreen[tuple[dict, str] | None]):
    """Lists the runs of the runs folder; Enter returns the chosen run's config and id."""

    CSS_PATH = "train.tcss"

    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Keep the form as it is.")]
    """Arrows + Enter pick a run; Escape cancels."""

    def __init__(self, runs_dir: Path) -> None:
        super().__init__()
        self.runs_dir = runs_dir

    def compose(self) -> ComposeResult:
        from core.cluster.status import list_runs

        self.summaries = {s.id: s for s in reversed(list_runs(self.runs_dir))}
        with Vertical(classes="dialog"):
            yield Static(f"Same as which run? ({self.runs_dir})")
            if self.summaries:
                yield OptionList(
                    *(
                        Option(
                            f"{s.id}  {s.preset}  {s.state}  {s.epochs_done}/{s.epochs_total}",
                            id=s.id,
                        )
                        for s in self.summaries.values()
                    ),
                    id="run-picker",
                )
            else:
                yield Static("No runs yet: launch one first.")
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        from core.models.architecture import variant_config
        from core.runs.store import read_json

        run_dir = self.summaries[event.option.id].path
        config = read_json(run_dir / "config.json")
        if not isinstance(config, dict):
            self.dismiss(None)
            return
        self.dismiss((variant_config(config, run_dir), event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)
