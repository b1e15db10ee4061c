"""Dataset browser (exercise D1): examples per class, their augmentations, the class balance."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static, TabbedContent, TabPane

from core.data.datasets import DATASET_NAMES
from screens.dataset.widgets import ExampleGrid, ImageScreen
from tui.config import terminal_has_truecolor
from tui.messages import OpenTask
from tui.workspace_screen import WorkspaceScreen

COPIES = 3  # augmented copies shown beside each original


class DatasetScreen(WorkspaceScreen):
    """Browse a dataset split page by page; see the training augmentations on real examples."""

    WORKSPACE = "dataset"
    CSS_PATH = "dataset.tcss"

    BINDINGS = [
        Binding("e", "tab('examples')", "Examples", tooltip="Examples per class.", show=False),
        Binding(
            "a",
            "tab('augment')",
            "Augment",
            tooltip="Originals beside augmented copies.",
            show=False,
        ),
        Binding(
            "b", "tab('balance')", "Balance", tooltip="Images per class in each split.", show=False
        ),
        Binding("d", "next_dataset", "Dataset", tooltip="Switch between CIFAR-10 and Shapes-10."),
        Binding("t", "toggle_split", "Split", tooltip="Switch between train and test images."),
        Binding("right_square_bracket,pagedown", "page(1)", "Page ▶", tooltip="Next examples."),
        Binding("left_square_bracket,pageup", "page(-1)", "◀ Page", tooltip="Earlier examples."),
        Binding(
            "plus,equals_sign",
            "per_class(1)",
            "More",
            tooltip="More examples per class.",
            show=False,
        ),
        Binding(
            "minus",
            "per_class(-1)",
            "Fewer",
            tooltip="Fewer (larger) examples per class.",
            show=False,
        ),
        Binding("f", "toggle('flip')", "Flip", tooltip="Random horizontal flip (p = 0.5)."),
        Binding("c", "toggle('crop')", "Crop", tooltip="Random crop after 4 px zero padding."),
        Binding("j", "toggle('jitter')", "Jitter", tooltip="Brightness/contrast/saturation 0.2."),
        Binding("n", "toggle('normalize')", "Normalise", tooltip="Normalise with CIFAR mean/std."),
        Binding("r", "reroll", "Re-roll", tooltip="Draw new random augmentation parameters."),
    ]
    """Tabs e/a/b (named on the tabs, so an 80-column footer keeps room for paging);
    d dataset, t split, [ ] pages, +/- examples per class; f c j n r augment."""

    class DatasetLoaded(Message):
        """Sent when a dataset has been read or generated."""

        def __init__(self, dataset: object) -> None:
            super().__init__()
            self.dataset = dataset

    class LoadFailed(Message):
        """Sent when a dataset could not be loaded; the message says how to get it."""

        def __init__(self, name: str, error: str) -> None:
            super().__init__()
            self.name = name
            self.error = error

    class AugmentsReady(Message):
        """Sent when the training pipeline has produced the augmented copies to show."""

        def __init__(self, key: tuple, rows: list, originals, copies, value_range) -> None:
            super().__init__()
            self.key = key  # the view state the copies were made for
            self.rows = rows  # (label, index) per original
            self.originals = originals  # (B, H, W, 3) uint8
            self.copies = copies  # list of (B, H, W, 3) uint8 display images
            self.value_range = value_range  # (min, max) of the values fed to the network

    def __init__(self) -> None:
        from core.data.view import AugmentChoice

        super().__init__()
        self.dataset = None  # core.data.datasets.Dataset once loaded
        self.dataset_name: str | None = None  # the one loading or shown
        self.split = "train"
        self.page = 0
        self.per_class = 10  # examples per class on a page
        self.indices: list = []  # split indices per class on this page
        self.choice = AugmentChoice()
        self.roll = 0  # re-roll counter: which draw of augmentation parameters
        self.truecolor = True
        self.loading_since: float | None = None  # time.monotonic() when loading began
        self.loading_timer = None  # ticks the loading line while a dataset loads

    def compose_body(self) -> ComposeResult:
        yield Static("Loading…", id="dataset-info")
        with TabbedContent(id="dataset-tabs", initial="examples"):
            with TabPane("Examples (e)", id="examples"):
                with VerticalScroll(id="grid-scroll"):
                    yield ExampleGrid(id="example-grid")
            with TabPane("Augmentations (a)", id="augment"):
                yield Static(id="augment-state")
                with VerticalScroll(id="augment-scroll"):
                    yield Static(id="augment-view")
            with TabPane("Class balance (b)", id="balance"):
                with VerticalScroll():
                    yield Static(id="balance-view")

    def on_mount(self) -> None:
        super().on_mount()
        self.truecolor = self.app.truecolor_forced or terminal_has_truecolor()
        from core.data.datasets import default_dataset_name

        self._start_loading(default_dataset_name())

    def on_open_task(self, message: OpenTask) -> None:
        """A course task from the Sheet: its dataset, split and examples per class."""
        options = message.task.options
        if options.get("split") in ("train", "test"):
            self.split, self.page = options["split"], 0
        per_class = options.get("per_class")
        if isinstance(per_class, int) and not isinstance(per_class, bool):
            self.per_class, self.page = min(max(per_class, 1), 30), 0
        name = options.get("dataset")
        if name in DATASET_NAMES and name != self.dataset_name:
            self._start_loading(name)
        elif self.dataset is not None:
            self._refresh_all()
        self.notify(f"Course task {message.task.id}: {message.task.title}", markup=False)

    def _start_loading(self, name: str) -> None:
        import time

        self.dataset_name = name
        self.loading_since = time.monotonic()
        if self.loading_timer is None:
            self.loading_timer = self.set_interval(0.5, self._show_loading)
        self._show_loading()
        self._load(name)

    def _show_loading(self) -> None:
        """Tick the loading line so a slow first generation visibly progresses."""
        import time

        if self.loading_since is None:
            return
        seconds = time.monotonic() - self.loading_since
        note = (
            " (the first time, generating the synthetic images takes a few seconds; "
            "later they are read from disk)"
            if self.dataset_name == "shapes"
            else ""
        )
        self.query_one("#dataset-info", Static).update(
            f"Loading {self.dataset_name}… {seconds:.0f} s{note}"
        )

    def _stop_loading(self) -> None:
        self.loading_since = None
        if self.loading_timer is not None:
            self.loading_timer.stop()
            self.loading_timer = None

    @work(thread=True, exclusive=True, group="dataset-load")
    def _load(self, name: str) -> None:
        from core.data.cache import load_dataset_cached
        from core.errors import UserError

        try:
            dataset = load_dataset_cached(name)
        except UserError as error:
            self.post_message(self.LoadFailed(name, str(error)))
            return
        self.post_message(self.DatasetLoaded(dataset))
        import core.data.pipeline  # noqa: F401  (warms torch for the augmentation view)

    def on_dataset_screen_dataset_loaded(self, message: DatasetLoaded) -> None:
        self._stop_loading()
        self.dataset = message.dataset
        self.page = 0
        self._show_balance()
        self._refresh_all()

    def _show_balance(self) -> None:
        """The class balance with bars that fit the pane (its view keeps 2 columns aside)."""
        from tui.render.dataset import fitted_balance_table

        view = self.query_one("#balance-view", Static)
        width = (view.parent.content_size.width or self.size.width) - 2
        view.update(fitted_balance_table(self.dataset, width, self.app.console))

    def on_dataset_screen_load_failed(self, message: LoadFailed) -> None:
        self._stop_loading()
        info = self.query_one("#dataset-info", Static)
        info.add_class("error")
        shown = f" Still showing {self.dataset.title}." if self.dataset is not None else ""
        info.update(f"{message.error}{shown} Press d to switch dataset.")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        tab = self.query_one("#dataset-tabs", TabbedContent).active
        if action in ("toggle", "reroll"):
            return tab == "augment"
        if action in ("page", "per_class", "toggle_split"):
            return (self.dataset is not None and tab != "balance") or None
        return True

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()
        if event.pane.id == "augment":
            self._refresh_augment()
        elif event.pane.id == "examples":
            self.set_focus(self.query_one(ExampleGrid))

    def action_tab(self, tab: str) -> None:
        """Show the Examples, Augmentations or Class balance tab."""
        self.query_one("#dataset-tabs", TabbedContent).active = tab

    def action_next_dataset(self) -> None:
        """Load the other dataset (CIFAR-10 needs its files; the error says how to get them)."""
        names = DATASET_NAMES
        current = self.dataset_name if self.dataset_name in names else names[-1]
        self._start_loading(names[(names.index(current) + 1) % len(names)])

    def action_toggle_split(self) -> None:
        """Switch between the training and the test split."""
        self.split = "test" if self.split == "train" else "train"
        self.page = 0
        self._refresh_all()

    def action_page(self, step: int) -> None:
        """Move to the next or previous page of examples."""
        from core.data.view import pages, split_of

        total = pages(split_of(self.dataset, self.split), len(self.dataset.classes), self.per_class)
        self.page = min(max(self.page + step, 0), total - 1)
        self._refresh_all()

    def action_per_class(self, step: int) -> None:
        """Show more or fewer examples per class (fewer means larger images)."""
        first = self.page * self.per_class
        self.per_class = min(max(self.per_class + step, 1), 30)
        self.page = first // self.per_class
        self._refresh_all()

    def action_toggle(self, name: str) -> None:
        """Switch one training transform of the augmentation view on or off."""
        self.choice = self.choice.toggled(name)
        self._refresh_augment()

    def action_reroll(self) -> None:
        """Draw fresh augmentation parameters for the same images."""
        self.roll += 1
        self._refresh_augment()

    def _refresh_all(self) -> None:
        if self.dataset is None:
            return
        from core.data.view import examples_per_class, pages, split_of

        split = split_of(self.dataset, self.split)
        classes = len(self.dataset.classes)
        self.indices = examples_per_class(split, classes, self.per_class, self.page)
        grid = self.query_one(ExampleGrid)
        grid.set_shape(tuple(len(chosen) for chosen in self.indices))
        total = pages(split, classes, self.per_class)
        info = self.query_one("#dataset-info", Static)
        info.remove_class("error")
        info.update(
            f"[b]{self.dataset.title}[/b] · {self.split} split ({len(split):,} images) · "
            f"page {self.page + 1}/{total} · {self.per_class} per class · "
            f"{'synthetic, offline' if self.dataset.synthetic else self.dataset.source}"
        )
        self._draw_grid()
        self.refresh_bindings()
        if self.query_one("#dataset-tabs", TabbedContent).active == "augment":
            self._refresh_augment()

    def _draw_grid(self) -> None:
        from tui.render.dataset import class_grid, grid_size

        grid = self.query_one(ExampleGrid)
        width = (self.query_one("#grid-scroll").size.width or self.size.width or 80) - 2
        size, label_above = grid_size(width, self.per_class)
        grid.update(
            class_grid(
                self.dataset,
                self.split,
                self.indices,
                size,
                self.truecolor,
                grid.cursor,
                label_above,
            )
        )

    def on_resize(self) -> None:
        if self.dataset is not None:
            self.call_after_refresh(self._draw_grid)
            self.call_after_refresh(self._show_balance)

    def on_example_grid_cursor_moved(self, message: ExampleGrid.CursorMoved) -> None:
        self._draw_grid()
        if self.query_one("#dataset-tabs", TabbedContent).active == "augment":
            self._refresh_augment()

    def on_example_grid_picked(self, message: ExampleGrid.Picked) -> None:
        from core.data.view import split_of

        index = int(self.indices[message.row][message.column])
        split = split_of(self.dataset, self.split)
        label = int(split.labels[index])
        caption = (
            f"{self.dataset.title} · {self.split} #{index} · label {label}: "
            f"{self.dataset.classes[label]}"
        )
        self.app.push_screen(ImageScreen(split.images[index], caption, self.truecolor))

    def _refresh_augment(self) -> None:
        if self.dataset is None:
            return
        column = self.query_one(ExampleGrid).cursor[1]
        rows = [
            (label, int(chosen[min(column, len(chosen) - 1)]))
            for label, chosen in enumerate(self.indices)
            if len(chosen)
        ]
        key = (self.dataset.name, self.split, tuple(rows), self.choice, self.roll)
        self.query_one("#augment-state", Static).update(self._augment_state("drawing…"))
        self._augment(key, rows)

    def _augment_state(self, note: str) -> str:
        marks = "  ".join(
            f"[b]{key}[/b] {name} {'[reverse] on [/]' if getattr(self.choice, name) else 'off'}"
            for key, name in (("f", "flip"), ("c", "crop"), ("j", "jitter"), ("n", "normalize"))
        )
        return f"{marks}   [b]r[/b] re-roll (draw {self.roll})   {note}"

    @work(thread=True, exclusive=True, group="dataset-augment")
    def _augment(self, key: tuple, rows: list) -> None:
        import numpy as np

        from core.data.view import augmented_copies, split_of

        split = split_of(self.dataset, key[1])
        originals = np.stack([split.images[index] for _, index in rows])  # (B, H, W, 3)
        copies, value_range = augmented_copies(originals, key[3], COPIES, roll=key[4])
        self.post_message(self.AugmentsReady(key, rows, originals, copies, value_range))

    def on_dataset_screen_augments_ready(self, message: AugmentsReady) -> None:
        from core.data.view import NORMALIZED_RANGE
        from tui.render.dataset import augment_rows, fit_size

        low, high = message.value_range
        note = f"network input values {low:.2f} … {high:.2f}"
        if message.key[3].normalize:
            note += f" (shown from -{NORMALIZED_RANGE} black to +{NORMALIZED_RANGE} white)"
        self.query_one("#augment-state", Static).update(self._augment_state(note))
        # a tab shown just now may not be laid out yet (width 0): the screen's width then
        width = (self.query_one("#augment-scroll").size.width or self.size.width or 80) - 2
        size = fit_size(width, COPIES + 1, hi=24)
        labels = [label for label, _ in message.rows]
        self.query_one("#augment-view", Static).update(
            augment_rows(
                self.dataset, labels, message.originals, message.copies, size, self.truecolor
            )
        )
