"""Save the typed SPEC to the student's library of designs (`cnn-tui arch save` from the app):
a name, validated as it is typed; an existing design is replaced only after a second Enter."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static, TextArea

from core.errors import UserError


class SaveDesignScreen(ModalScreen[str | None]):
    """Asks for a name and saves the SPEC under it; dismisses with the name, or None."""

    CSS_PATH = "calculators.tcss"

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", tooltip="Back, nothing saved.")]
    """Escape closes without saving."""

    def __init__(self, spec: str) -> None:
        super().__init__()
        self.spec = spec
        self.replacing: str | None = None  # the name a second Enter replaces

    def compose(self) -> ComposeResult:
        with Vertical(id="save-body"):
            yield Label("Save this design; its name then works wherever a network is asked for:")
            yield Input(placeholder="a name such as my-resnet", id="save-name")
            yield Static("", id="save-note", markup=False)
        yield Footer()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.replacing = None
        self.query_one("#save-note", Static).update(name_problem(event.value.strip()) or "")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from core.models import library

        name = event.value.strip()
        note = self.query_one("#save-note", Static)
        problem = name_problem(name)
        if problem:
            note.update(problem)
            return
        if library.saved_path(name) is not None and self.replacing != name:
            self.replacing = name
            note.update(f"A design {name} exists: Enter again replaces it, or change the name.")
            return
        try:
            library.save_spec(name, self.spec)
        except (UserError, OSError) as error:
            note.update(f"Cannot save {name}: {getattr(error, 'strerror', None) or error}")
            return
        self.dismiss(name)


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a saved design, or None."""
    from core.models import library
    from core.models.zoo import PRESETS

    if not name:
        return "Type a name (letters, digits, '-', '_' or '.')."
    if name in PRESETS:
        return f"{name} is a preset's name; choose another name."
    if not library.valid_name(name):
        return (
            f"{name!r} cannot name a design: use letters, digits, '-', '_' or '.', "
            "up to 64 characters, starting with a letter or digit."
        )
    return None


class SaveDesign:
    """The Calculators' save key (mixed into their screen): the typed SPEC, once its table
    builds, goes to the dialog above."""

    def action_save_design(self) -> None:
        if self.table is None or self.module_preset:
            return
        spec = self.query_one("#arch-spec", TextArea).text

        def saved(name: str | None) -> None:
            if name:
                self.notify(f"Saved design {name}: use it by name, e.g. --arch {name}.")

        self.app.push_screen(SaveDesignScreen(spec), saved)
