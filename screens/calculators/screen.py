"""Calculators (B1–B6): a layer's size formula, an architecture's layer table, receptive fields."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, HorizontalGroup, VerticalScroll
from textual.widgets import (
    DataTable,
    Input,
    Label,
    Select,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)

from core.arch.spec import format_sequential, parse_spec
from core.arch.table import LayerTable, to_markdown
from core.errors import UserError
from core.exercises.calc_presets import ARCHITECTURE_EXAMPLES, EXERCISE_PARTS, exercise_part
from screens.calculators.architecture import ArchitectureEditor, pretty
from screens.calculators.export_dialog import ExportScreen
from screens.calculators.layer import LayerCalculator
from screens.calculators.quiz import QUIZ_BINDINGS, AnswerBox, CalcQuizMixin
from screens.calculators.receptive import FieldGrid, ReceptiveField
from screens.calculators.save_dialog import SaveDesign
from screens.calculators.views import COLUMNS
from tui.messages import OpenTask
from tui.widgets.spec_editor import SpecEditor
from tui.workspace_screen import WorkspaceScreen

DEFAULT_SPEC = ARCHITECTURE_EXAMPLES[1]  # B4, the course's reference network


class CalculatorsScreen(
    CalcQuizMixin, ArchitectureEditor, ReceptiveField, SaveDesign, WorkspaceScreen
):
    """Exercises B1–B6: sizes, solving, receptive fields, parameters and MACs."""

    WORKSPACE = "calculators"
    CSS_PATH = "calculators.tcss"

    BINDINGS = [
        Binding("f2", "show_tab('layer')", "Layer", tooltip="The single-layer calculator."),
        Binding(
            "f3",
            "show_tab('architecture')",
            "Architecture",
            tooltip="Type or pick an architecture; see its layer table.",
        ),
        Binding(
            "f4",
            "show_tab('receptive')",
            "Receptive field",
            tooltip="The input region one output cell sees.",
        ),
        *QUIZ_BINDINGS,
        Binding(
            "f5",
            "export('markdown')",
            "Export MD",
            priority=True,
            tooltip="The layer table as Markdown (copy or save).",
        ),
        Binding(
            "f6",
            "export('code')",
            "Export code",
            priority=True,
            tooltip="The architecture as PyTorch nn.Sequential(...) code.",
        ),
        Binding("ctrl+t", "send_to_train", "To Train", priority=True, tooltip="Train this SPEC."),
        Binding("ctrl+s", "save_design", "Save", priority=True, tooltip="Save this SPEC by name."),
        *(
            Binding(
                f"f{7 + index}",
                f"exercise('{name}')",
                name.upper(),
                priority=True,
                show=False,
                tooltip=f"Exercise {name.upper()}; again for its next part.",
            )
            for index, name in enumerate(EXERCISE_PARTS)
        ),
    ]
    """F2–F4 switch panes; F5/F6 export the layer table (greyed out while it has errors);
    F7–F12 load exercises B1–B6. F5–F12 take priority over the text fields' own F-keys.
    q toggles quiz mode; a, R and ctrl+r answer and reveal in it (quiz.py)."""

    def __init__(self) -> None:
        super().__init__()
        self.table: LayerTable | None = None
        self.generation = 0
        self.module_preset: str | None = None  # set while a torchvision preset is shown
        self.cell = (0, 0)  # chosen output cell (y, x)
        self.field_row: int | None = None  # table row whose cell is shown
        self.exercise: tuple[str, int] | None = None  # (exercise, part) last loaded by F7–F12
        self.field_summary = ""  # markup of the shown receptive field, without the key hint

    def compose_body(self) -> ComposeResult:
        with TabbedContent(initial="layer", id="calc-tabs"):
            with TabPane("Layer (F2)", id="layer"):
                yield LayerCalculator()
            with TabPane("Architecture (F3)", id="architecture"), VerticalScroll():
                with Horizontal(id="arch-top"):
                    yield Select(
                        ((e.title, e.key) for e in ARCHITECTURE_EXAMPLES),
                        prompt="Preset…",
                        id="arch-preset",
                    )
                    yield Input(
                        ",".join(map(str, DEFAULT_SPEC.input_shape)),
                        placeholder="C,H,W",
                        id="arch-input",
                    )
                yield SpecEditor(pretty(DEFAULT_SPEC.spec), id="arch-spec", soft_wrap=True)
                yield Static(id="arch-status")
                yield DataTable(id="arch-table", zebra_stripes=True, cursor_type="row")
            with TabPane("Receptive field (F4)", id="receptive"), VerticalScroll():
                yield Static(id="field-info")
                yield Static(id="field-growth")
                yield FieldGrid(id="field-grid")
        with HorizontalGroup(id="quiz-row"):
            yield Label("answer =", id="quiz-label")
            yield AnswerBox(id="calc-answer", compact=True, placeholder="your answer; Enter checks")
        yield Static(id="quiz-status")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#arch-table", DataTable).add_columns(*COLUMNS)
        self.set_focus(self.query_one("#f-in_size", Input))  # before the next key is read
        self.query_one(LayerCalculator).load_example("b1")
        self.query_one("#quiz-row").display = False

    def on_resize(self) -> None:
        """Short terminals get a smaller SPEC editor, so the answers are seen without scrolling."""
        self.set_class(self.size.height < 34, "-short")

    @on(Select.Changed, "#arch-preset")
    def _preset_picked(self, event: Select.Changed) -> None:
        self.load_architecture(event.value)

    @on(TextArea.Changed, "#arch-spec")
    @on(Input.Changed, "#arch-input")
    def _arch_changed(self) -> None:
        self.arch_changed()

    @on(DataTable.RowSelected, "#arch-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        self.row_chosen(event.cursor_row)

    @on(Input.Submitted, "#calc-answer")
    def _answered(self, event: Input.Submitted) -> None:
        self.quiz_submit(event.value)

    def on_quiz_answer_input_reveal_asked(self, message: AnswerBox.RevealAsked) -> None:
        self.action_reveal(message.every)

    # ---- exercises -----------------------------------------------------------------------
    def action_exercise(self, name: str) -> None:
        """Load an exercise's first part, or its next part when pressed again."""
        parts = EXERCISE_PARTS[name]
        index = 0
        if self.exercise is not None and self.exercise[0] == name:
            index = (self.exercise[1] + 1) % len(parts)
        self.exercise = (name, index)
        pane, example = exercise_part(parts[index])
        if pane == "layer":
            self.query_one(LayerCalculator).load_example(example.key)
        else:
            self.load_architecture(example.key)
        self.action_show_tab(pane)
        self.app.clear_notifications()
        if len(parts) > 1:
            key = f"F{7 + list(EXERCISE_PARTS).index(name)}"
            self.notify(
                f"part {index + 1} of {len(parts)}; {key} again: next part",
                title=name.upper(),
                timeout=3,
            )

    # ---- panes and export --------------------------------------------------------------
    def on_open_task(self, message: OpenTask) -> None:
        """A course task from the Sheet: its layer or architecture, on its tab."""
        from core.exercises.calc_presets import architecture_example, layer_example

        task = message.task
        if task.kind == "calc":
            layer, example = self.query_one(LayerCalculator), layer_example(task)
            layer.task = (layer.example_key(example), task)
            layer.fill(example)
            layer.solve_now()  # the task's quiz, also when the fields held its values already
            self.course_task = (message.pack, task, None)
            self.action_show_tab("layer")
        elif task.kind == "summary":
            self.show_architecture(architecture_example(task))
            shown = (self.query_one("#arch-spec", TextArea).text, self.built_source[1])
            self.course_task = (message.pack, task, shown)
            self.action_show_tab("architecture")
        if message.quiz:
            self.set_quiz(True)
            if task.kind == "summary":
                self.query_one("#arch-table", DataTable).focus()  # the keys answer there
        self.notify(f"Course task {task.id}: {task.title}", markup=False)

    def action_show_tab(self, tab: str) -> None:
        """Switch to a pane of the workspace."""
        self.query_one("#calc-tabs", TabbedContent).active = tab
        focus = {"layer": "#f-in_size", "architecture": "#arch-spec", "receptive": "#field-grid"}
        if self.quiz_on:
            focus["architecture"] = "#arch-table"  # where the quiz keys answer
        self.query_one(focus[tab]).focus()

    @on(TabbedContent.TabActivated, "#calc-tabs")
    def _pane_shown(self) -> None:
        self.quiz_pane_shown()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("quiz", "answer", "answer_here", "reveal"):
            return self.quiz_allows(action, parameters)
        if action in ("send_to_train", "save_design"):
            return None if self.table is None or self.module_preset else True
        if action == "export":
            if self.table is None:
                return None
            if parameters == ("code",) and self.module_preset:
                return None
        return True

    def action_send_to_train(self) -> None:
        """Train opens with the SPEC in its Architecture field (and the input size as resize)."""
        from tui.messages import UseArchitecture, WorkspaceRequested

        if self.table is None or self.module_preset:
            return
        spec = self.query_one("#arch-spec", TextArea).text
        shape = tuple(self.table.input_shape)
        self.post_message(WorkspaceRequested("train", UseArchitecture(spec, shape)))

    def action_export(self, kind: str) -> None:
        """Show the layer table as Markdown, or the architecture as PyTorch code."""
        if self.table is None:
            return
        if kind == "markdown":
            text, name = to_markdown(self.table), "architecture.md"
        else:
            try:
                layers = parse_spec(self.query_one("#arch-spec", TextArea).text)
            except UserError as error:  # edited since the table was built
                self.notify(str(error), severity="error")
                return
            text = f"from torch import nn\n\nmodel = {format_sequential(layers)}\n"
            name = "architecture.py"
        self.app.copy_to_clipboard(text)
        self.app.push_screen(ExportScreen(text, Path(name)))
