"""The Explain workspace: what a CNN looks at, as heatmaps beside the photo (D2-D6)."""

from __future__ import annotations

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.widget import Widget
from textual.widgets import Button, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from core.errors import UserError
from core.explain.colormaps import COLORMAPS
from screens.explain.controls import compose_controls, fill_from_options, read_request
from screens.explain.messages import (
    ExplainProgressed,
    ExplanationFailed,
    ExplanationReady,
    GalleryListed,
    LayersListed,
)
from screens.explain.session import (
    RANDOM_RESNET18,
    RESNET18,
    ExplainRequest,
    ModelCache,
    compute,
    gallery,
    layer_choices,
    run_choices,
)
from screens.explain.view import PictureRow, draw_results, even_out
from tui.config import terminal_has_truecolor
from tui.messages import OpenTask
from tui.widgets.heatmap import Heatmap
from tui.workspace_screen import WorkspaceScreen

NARROW_WIDTH = 110
"""Below this many columns the photo, map and overlay are stacked instead of side by side."""


class ExplainScreen(WorkspaceScreen):
    """Choose model, image, method, layer and target; see image, map and overlay."""

    WORKSPACE = "explain"
    CSS_PATH = "explain.tcss"

    BINDINGS = [
        Binding(
            "f5,ctrl+r",
            "explain",
            "Explain",
            tooltip="Compute the maps for these settings.",
            id="explain-run",
        ),
        Binding(
            "left_square_bracket",
            "alpha(-0.1)",
            "Alpha −",
            tooltip="Less map, more photo in the overlay.",
        ),
        Binding(
            "right_square_bracket",
            "alpha(0.1)",
            "Alpha +",
            tooltip="More map, less photo in the overlay.",
        ),
        Binding("c", "next_colormap", "Colormap", tooltip="Cycle viridis/inferno/magma/gray/…"),
        Binding(
            "ctrl+s",
            "export",
            "Export",
            tooltip="Write NPY, PNGs and recipe.json to ./explain-exports/.",
        ),
    ]
    """F5 computes; [ ] change the overlay alpha; c cycles the colormap; ctrl+s exports."""

    def __init__(self) -> None:
        super().__init__()
        self.cache = ModelCache()
        self.results: list = []
        self.layers_for: str | None = None  # model whose layers the selector lists
        self.task_layer: str | None = None  # a course task's layer, chosen once it is listed
        self.alpha = 0.5
        self.truecolor = True

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="explain-main"):
            with VerticalScroll(id="explain-controls"):
                yield from compose_controls(self.model_choices())
            with VerticalScroll(id="explain-results"):
                yield Static("Pick settings and press F5.", id="explain-status")
                yield Static(id="explain-notice")
                yield Static(id="top5")
                with PictureRow(classes="explain-row", id="row1"):
                    yield Heatmap(id="photo")
                    yield Heatmap(id="map")
                    yield Heatmap(id="overlay")
                with PictureRow(classes="explain-row", id="row2"):
                    yield Widget(id="slot2")  # under the photo: the second target's pictures
                    yield Heatmap(id="map2")  # stand under the first's
                    yield Heatmap(id="overlay2")

    def on_mount(self) -> None:
        super().on_mount()
        self.truecolor = self.app.truecolor_forced or terminal_has_truecolor()
        for heatmap in self.query(Heatmap):
            heatmap.truecolor = self.truecolor
        notice = self.query_one("#explain-notice", Static)
        if self.truecolor:
            notice.display = False
        else:
            notice.update(
                "256 colours: nearest palette colours. For exact colours start "
                "with [b]cnn-tui --truecolor[/b]."
            )
        self.query_one("#row2").display = False
        self.query_one("#gallery-list").display = False
        self.set_focus(self.query_one("#run", Button))  # before the next key is read
        self.list_layers(RESNET18, None)

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")
        self.call_after_refresh(even_out, self)

    def on_heatmap_probed(self, message: Heatmap.Probed) -> None:
        """The probe's status may take another line: the pictures stay one size."""
        even_out(self)

    def on_open_task(self, message: OpenTask) -> None:
        """A course task from the Sheet: its settings in the controls (F5 explains)."""
        fill_from_options(self, message.task.options)
        layer = message.task.options.get("layer")
        self.task_layer = None if layer is None else str(layer)
        self.choose_task_layer()
        self.notify(f"Course task {message.task.id}: {message.task.title}", markup=False)

    def model_choices(self) -> list[tuple[str, str]]:
        """ResNet-18 (real or explicitly random weights) and every run with a checkpoint."""
        choices = [
            ("ResNet-18 (ImageNet weights)", RESNET18),
            ("ResNet-18 RANDOM weights (demo only)", RANDOM_RESNET18),
        ]
        return choices + run_choices(self.app.config.runs_dir)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("alpha", "next_colormap", "export") and not self.results:
            return None
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "run":
            self.action_explain()
        elif event.button.id == "gallery":
            self.query_one("#explain-status", Static).update("classifying test images…")
            model = self.query_one("#model", Select).value
            self.list_gallery(model, self.query_one("#weights", Input).value.strip() or None)

    @work(thread=True, exclusive=True, group="explain")
    def list_gallery(self, model: str, weights_file: str | None) -> None:
        try:
            right, wrong = gallery(model, weights_file, self.cache)
        except UserError as error:
            self.post_message(ExplanationFailed(str(error)))
            return
        self.post_message(GalleryListed(right, wrong))

    def on_gallery_listed(self, message: GalleryListed) -> None:
        listing = self.query_one("#gallery-list", OptionList)
        listing.clear_options()
        listing.add_options(
            Option(item.caption, id=item.source) for item in message.right + message.wrong
        )
        listing.display = True
        listing.focus()
        self.query_one("#explain-status", Static).update(
            f"{len(message.right)} right, {len(message.wrong)} wrong: pick one to explain."
        )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#image-path", Input).value = event.option.id or ""
        self.action_explain()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_explain()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "model" and self.layers_for != event.value:
            self.query_one("#layer", Select).set_options([])
            self.layers_for = None
            self.list_layers(
                str(event.value), self.query_one("#weights", Input).value.strip() or None
            )
        if event.select.id in ("normalise", "colormap") and self.results:
            self.show_results()

    def action_explain(self) -> None:
        """Read the controls and compute in a thread worker."""
        try:
            request = self.build_request()
        except UserError as error:
            self.query_one("#explain-status", Static).update(f"[b]Cannot explain:[/b] {error}")
            return
        self.query_one("#explain-status", Static).update("working…")
        self.run_request(request)

    def build_request(self) -> ExplainRequest:
        """The request the controls describe (raises UserError for malformed fields)."""
        return read_request(self)

    @work(thread=True, exclusive=True, group="explain")
    def run_request(self, request: ExplainRequest) -> None:
        from textual.worker import get_current_worker

        worker = get_current_worker()
        try:
            model, results, label, note = compute(
                request,
                self.cache,
                lambda text: self.post_message(ExplainProgressed(text)),
                lambda: worker.is_cancelled,
            )
            layers = layer_choices(model) if self.layers_for != request.model else []
        except UserError as error:
            self.post_message(ExplanationFailed(_with_screen_hint(error)))
            return
        if not worker.is_cancelled:
            self.post_message(ExplanationReady(model, results, layers, label, note))

    @work(thread=True, exclusive=True, group="layers")
    def list_layers(self, model_choice: str, weights_file: str | None) -> None:
        """Load the chosen model in the background so its layers can be picked before F5."""
        from textual.worker import get_current_worker

        try:
            model = self.cache.get(model_choice, weights_file)
            layers = layer_choices(model)
        except UserError as error:
            if not get_current_worker().is_cancelled:
                self.post_message(
                    ExplanationFailed(_with_screen_hint(error), heading="Model not available")
                )
            return
        if not get_current_worker().is_cancelled:
            self.post_message(LayersListed(model_choice, model.title, layers))

    def on_layers_listed(self, message: LayersListed) -> None:
        if message.model_choice != self.query_one("#model", Select).value:
            return
        if self.layers_for != message.model_choice:
            self.layers_for = message.model_choice
            self.query_one("#layer", Select).set_options(message.layers)
        self.choose_task_layer()
        if not self.results:
            self.query_one("#explain-status", Static).update(
                f"{message.title}: {len(message.layers)} layers to choose from. Pick settings "
                "and press F5."
            )

    def choose_task_layer(self) -> None:
        """Select the course task's layer once the model's layers are listed; a layer the
        model does not have is said, not silently replaced."""
        if self.task_layer is None or self.layers_for != self.query_one("#model", Select).value:
            return
        layer, self.task_layer = self.task_layer, None
        from textual.widgets.select import InvalidSelectValueError

        try:
            self.query_one("#layer", Select).value = layer
        except InvalidSelectValueError:
            self.notify(
                f"The task's layer {layer!r} is not a layer of this model: pick one from the list.",
                severity="warning",
                markup=False,
            )

    def on_explain_progressed(self, message: ExplainProgressed) -> None:
        self.query_one("#explain-status", Static).update(message.text)

    def on_explanation_failed(self, message: ExplanationFailed) -> None:
        self.query_one("#explain-status", Static).update(
            f"[b]{message.heading}:[/b] {message.text}"
        )

    def on_explanation_ready(self, message: ExplanationReady) -> None:
        self.results = message.results
        if message.layers:
            self.layers_for = self.query_one("#model", Select).value
            layer = self.query_one("#layer", Select)
            layer.set_options(message.layers)
        first = self.results[0]
        shape = "×".join(map(str, first.layer_shape))
        where = f" · layer {first.layer} (1×{shape})" if first.layer else ""
        random = message.model.random_seed is not None
        warning = "[reverse] RANDOM WEIGHTS [/reverse] " if random else ""
        note = f"\n[$text-warning]⚠ {escape(message.note)}[/]" if message.note else ""
        self.query_one("#explain-status", Static).update(
            f"{warning}{message.model.title}{where} · map {'×'.join(map(str, first.maps.shape))}"
            f"\nimage {escape(message.label)}{note}"
        )
        rows = [
            f"{rank}. {p.name} ({p.index}) {p.probability:.1%}"
            for rank, p in enumerate(first.top5, 1)
        ]
        targets = " · ".join(
            f"target {r.target} {r.target_name}" for r in self.results if r.target is not None
        )
        self.query_one("#top5", Static).update(
            "top-5: " + "  ".join(rows) + (f"\n{targets}" if targets else "")
        )
        self.show_results()
        self.refresh_bindings()

    def show_results(self) -> None:
        """Hand the raw maps to the heatmaps with the chosen scale and colours."""
        draw_results(
            self,
            self.results,
            self.query_one("#normalise", Select).value,
            self.query_one("#colormap", Select).value,
            self.alpha,
        )

    def action_alpha(self, delta: float) -> None:
        """Change the overlay opacity of the map."""
        self.alpha = round(min(max(self.alpha + delta, 0.0), 1.0), 2)
        self.notify(f"overlay alpha {self.alpha:.1f}", timeout=1)
        self.show_results()

    def action_export(self) -> None:
        """Write each shown explanation (raw NPY, PNGs, recipe) to ./explain-exports/."""
        import time
        from pathlib import Path

        from core.explain.export import export

        stamp = time.strftime("%Y%m%d-%H%M%S")
        folders = []
        for index, result in enumerate(self.results, 1):
            folder = Path("explain-exports") / f"{stamp}-{result.recipe.method}-{index}"
            try:
                export(
                    result,
                    folder,
                    self.query_one("#colormap", Select).value,
                    self.query_one("#normalise", Select).value,
                    self.alpha,
                )
            except UserError as error:
                self.notify(str(error), severity="error", timeout=8)
                return
            folders.append(str(folder))
        self.notify("Exported to " + ", ".join(folders), timeout=6)

    def action_next_colormap(self) -> None:
        """Switch to the next colormap."""
        select = self.query_one("#colormap", Select)
        select.value = COLORMAPS[(COLORMAPS.index(select.value) + 1) % len(COLORMAPS)]


def _with_screen_hint(error: UserError) -> str:
    """The error, plus where to do the same in this screen when it speaks of CLI flags."""
    from core.models.weights import WeightsMissingError

    if isinstance(error, WeightsMissingError):
        return (
            f"{error}\nIn this screen: type the weights file's path under Model, or choose "
            "a trained run there (or the RANDOM-weights demo, for trying the screen)."
        )
    return str(error)
