"""The Explain workspace's controls: what they offer, and the request their values describe."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Select

from core.assets import bundled_photos
from core.errors import UserError
from core.explain.colormaps import COLORMAPS
from screens.explain.session import RESNET18, ExplainRequest
from tui.widgets.checkbox import MarkedCheckbox

METHOD_CHOICES = (
    ("Grad-CAM", "gradcam"),
    ("Saliency", "saliency"),
    ("Activations", "activations"),
    ("First-layer filters", "filters"),
)
NORMALISE_CHOICES = (
    ("per map", "per-map"),
    ("one shared scale", "shared"),
    ("none (0..1)", "none"),
)
REDUCE_CHOICES = (("max |grad| / mean", "max"), ("mean", "mean"), ("PCA → RGB", "pca"))


def compose_controls(model_choices: list[tuple[str, str]]) -> ComposeResult:
    """The form down the left side: model, image, method, layer, target, reduction, colours."""
    photos = list(bundled_photos())
    yield Label("Model")
    yield Select(
        model_choices,
        id="model",
        value=RESNET18,
        allow_blank=False,
        compact=True,
    )
    yield Input(id="weights", placeholder="weights file (hub cache)", compact=True)
    yield Label("Image")
    yield Select(
        [(name, name) for name in photos],
        id="image-choice",
        value=_default_photo(photos),
        prompt="photo",
        compact=True,
    )
    yield Input(id="image-path", placeholder="or path, cifar10:17 …", compact=True)
    yield Label("Method")
    yield Select(METHOD_CHOICES, id="method", value="gradcam", allow_blank=False, compact=True)
    yield Label("Layer")
    yield Select([], id="layer", prompt="default layer", compact=True)
    yield Label("Target (name or index)")
    yield Input(id="target", placeholder="predicted class", compact=True)
    yield Input(id="target2", placeholder="2nd target to compare", compact=True)
    yield Label("Reduce/channels/filters")
    yield Select(REDUCE_CHOICES, id="reduce", value="max", allow_blank=False, compact=True)
    yield Input(
        id="channels",
        placeholder="N channels (0 = reduce)",
        type="integer",
        compact=True,
    )
    yield Input(id="filters", placeholder="filters e.g. 14,26,32", compact=True)
    yield Label("Scale and colour")
    yield Select(
        NORMALISE_CHOICES,
        id="normalise",
        value="per-map",
        allow_blank=False,
        compact=True,
    )
    yield Select(
        [(name, name) for name in COLORMAPS],
        id="colormap",
        value="viridis",
        allow_blank=False,
        compact=True,
    )
    yield MarkedCheckbox("ReLU (Grad-CAM)", True, id="relu", compact=True)
    yield MarkedCheckbox("counterfactual", False, id="counterfactual", compact=True)
    yield Button("Explain (F5)", id="run", variant="primary", compact=True)
    yield Button("Gallery: right / wrong (run)", id="gallery", compact=True)
    yield OptionList(id="gallery-list")


def read_request(screen: Screen) -> ExplainRequest:
    """The request the controls on `screen` describe (raises UserError for malformed fields)."""
    from core.explain.recipe import Recipe, parse_channels, parse_filters

    def text(widget_id: str) -> str:
        return screen.query_one(f"#{widget_id}", Input).value.strip()

    def choice(widget_id: str):
        select = screen.query_one(f"#{widget_id}", Select)
        return None if select.is_blank() else select.value

    image = text("image-path") or choice("image-choice")
    if not image:
        raise UserError("Choose a photo or type an image path.")
    method = choice("method")
    reduce = choice("reduce")
    if method == "activations" and reduce == "max":
        reduce = "mean"
    if method == "saliency" and reduce == "pca":
        reduce = "max"
    common = dict(
        method=method,
        layer=choice("layer"),
        reduce=reduce,
        channels=parse_channels(text("channels")),
        filters=parse_filters(text("filters")),
        relu=screen.query_one("#relu", Checkbox).value,
        counterfactual=screen.query_one("#counterfactual", Checkbox).value,
    )
    targets = [text("target") or None]
    if text("target2") and method in ("saliency", "gradcam"):
        targets.append(text("target2"))
    return ExplainRequest(
        model=choice("model"),
        weights_file=text("weights") or None,
        image=image,
        recipes=tuple(Recipe(target=target, **common) for target in targets),
    )


def _default_photo(photos: list[str]):
    """Chelsea the cat when bundled (exercise D4's cat), else the first photo."""
    if "chelsea" in photos:
        return "chelsea"
    return photos[0] if photos else Select.NULL


TASK_SELECTS = ("model", "method", "reduce", "normalise", "colormap")
TASK_INPUTS = ("weights", "target", "channels", "filters")


def fill_from_options(screen: Screen, options: dict) -> None:
    """Put `cnn-tui explain`'s options (a course task's) into the controls; an image that is
    not a bundled photo goes into the path field, a value a list does not offer is skipped."""
    from textual.widgets.select import InvalidSelectValueError

    image = options.get("image")
    if image is not None:
        try:
            screen.query_one("#image-choice", Select).value = str(image)
        except InvalidSelectValueError:
            screen.query_one("#image-path", Input).value = str(image)
    for name in TASK_SELECTS:
        if name in options:
            try:
                screen.query_one(f"#{name}", Select).value = str(options[name])
            except InvalidSelectValueError:
                continue
    for name in TASK_INPUTS:
        if name in options:
            screen.query_one(f"#{name}", Input).value = str(options[name])
    for name, widget_id in (("no_relu", "relu"), ("counterfactual", "counterfactual")):
        if name in options:
            value = bool(options[name])
            screen.query_one(f"#{widget_id}", Checkbox).value = (
                not value if name == "no_relu" else value
            )
