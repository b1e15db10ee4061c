"""One explanation from a recipe: the single entry point shared by the CLI and the screen."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from core.data.images import fit_to_input, to_tensor
from core.errors import UserError
from core.explain.activations import (
    LayerError,
    capture_activations,
    channel_mean,
    default_layer,
    filter_tiles,
    first_conv,
    pca_rgb,
)
from core.explain.attribution import Prediction, grad_cam, resolve_target, saliency, top_k
from core.models.loaded import LoadedModel

METHODS = ("activations", "filters", "saliency", "gradcam")
"""What can be explained: a layer's activations, first-layer filters, saliency, Grad-CAM."""

D6_FILTERS = (14, 26, 32, 49, 52)
"""First-layer filter indices exercise D6 looks at (used when the layer has that many)."""


MAX_FILTERS = 64
"""Most filters drawn at once."""
MAX_CHANNELS = 2048
"""Most channels an activation grid shows (ResNet-18's layers have at most 512)."""


def parse_channels(text: str) -> int:
    """The number of channels of an activation grid (0: reduce them to one map)."""
    text = text.strip()
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()) or len(text) > 6 or int(text) > MAX_CHANNELS:
        raise UserError(
            f"Channels: a whole number from 0 (reduce) to {MAX_CHANNELS}, not {text[:20]!r}."
        )
    return int(text)


def parse_filters(text: str) -> tuple[int, ...]:
    """Filter indices typed as `14,26,32` or `14 26 32` (empty = the default choice)."""
    parts = text.replace(",", " ").split()
    if len(parts) > MAX_FILTERS or any(len(part) > 6 for part in parts):
        raise UserError(
            f"Give at most {MAX_FILTERS} filter indices of up to 6 digits (a layer has at most "
            "512 filters), e.g. 14,26,32."
        )
    try:
        return tuple(int(part) for part in parts)
    except ValueError:
        raise UserError(
            f"Filter indices are whole numbers separated by commas, such as 14,26,32, not {text!r}."
        ) from None


@dataclass(frozen=True)
class Recipe:
    """Everything that determines an explanation (saved as recipe.json beside exports)."""

    method: str = "gradcam"  # one of METHODS
    layer: str | None = None  # module name; None = the method's default layer
    target: str | None = None  # class index or name; None = the predicted class
    reduce: str = "max"  # saliency: max|mean over colours; activations: mean|pca
    channels: int = 0  # activations: show the first N channels (0 = reduce instead)
    filters: tuple[int, ...] = ()  # filters: indices (empty = D6's, else the first 8)
    relu: bool = True  # Grad-CAM: apply the ReLU to the weighted sum
    counterfactual: bool = False  # Grad-CAM: negate gradients (evidence against the class)


METHOD_WORDS = {
    "activations": "Activations",
    "filters": "Filters",
    "saliency": "Saliency (one map per target)",
    "gradcam": "Grad-CAM (one map per target)",
}


def unused_settings(recipe: Recipe) -> str:
    """What the recipe sets that its method does not use ("" when nothing), so a value left
    in a form from another method is said, not silently ignored."""
    unused = []
    if recipe.channels and recipe.method != "activations":
        unused.append(f"N channels ({recipe.channels}) is for Activations")
    if recipe.filters and recipe.method != "filters":
        indices = ",".join(str(index) for index in recipe.filters)
        unused.append(f"filter indices ({indices}) are for Filters")
    if not unused:
        return ""
    return f"{'; '.join(unused)}: not used by {METHOD_WORDS[recipe.method]}."


@dataclass(frozen=True)
class Explanation:
    """Raw maps plus what they mean; normalisation and colour happen later, by name."""

    recipe: Recipe
    model_title: str  # which model (says RANDOM when weights are seeded random)
    image: np.ndarray  # (S, S, 3) uint8: exactly the pixels the model saw
    maps: np.ndarray  # (N, h, w) float32 raw maps (N = 1 for saliency/Grad-CAM/mean)
    labels: tuple[str, ...]  # one caption per map
    layer: str | None  # the layer actually used
    layer_shape: tuple[int, ...] = ()  # (C, h, w) of that layer's output
    target: int | None = None  # class index explained (saliency / Grad-CAM)
    target_name: str = ""  # its name
    top5: tuple[Prediction, ...] = ()  # the model's top-5 for this image
    rgb: np.ndarray | None = None  # (3, h, w) PCA projections (activations with reduce=pca)
    tiles: np.ndarray | None = None  # (K, kh, kw, 3) uint8 filter tiles (filters)
    extra: dict = field(default_factory=dict)  # method details, e.g. Grad-CAM weights

    def recipe_dict(self) -> dict:
        """The recipe with the resolved layer and target, ready for JSON."""
        recipe = asdict(self.recipe)
        recipe.update(
            model=self.model_title,
            layer=self.layer,
            layer_shape=list(self.layer_shape),
            target_index=self.target,
            target_name=self.target_name,
            maps_shape=list(self.maps.shape),
            top5=[asdict(p) for p in self.top5],
        )
        return recipe


def explain(model: LoadedModel, image: np.ndarray, recipe: Recipe) -> Explanation:
    """Compute the explanation `recipe` asks for on an RGB uint8 image of any size."""
    if recipe.method not in METHODS:
        raise UserError(f"Unknown method {recipe.method!r}; choose {', '.join(METHODS)}.")
    pre = model.preprocess
    fitted = fit_to_input(image, pre.size, pre.resize_ratio)  # (S, S, 3)
    x = to_tensor(fitted, pre)  # (1, 3, S, S)
    module = model.module
    if recipe.method == "filters":
        layer, conv = first_conv(module)
    else:
        layer = recipe.layer or default_layer(module)
    logits, acts = capture_activations(module, x, [layer])
    activation = acts[layer]  # (C, h, w)
    if activation.ndim != 3 and recipe.method in ("activations", "gradcam"):
        raise LayerError(
            f"Layer {layer!r} outputs shape {tuple(activation.shape)}, not channels × height × "
            "width; pick a convolutional layer (see --list-layers)."
        )
    top5 = tuple(top_k(logits, model.classes))
    common = dict(
        recipe=recipe,
        model_title=model.title,
        image=fitted,
        layer=layer,
        layer_shape=tuple(activation.shape),
        top5=top5,
    )
    if recipe.method == "activations":
        return _activations(activation, recipe, common)
    if recipe.method == "filters":
        return _filters(conv, activation, recipe, common)
    target = resolve_target(recipe.target, model.classes, logits)
    name = model.classes[target]
    if recipe.method == "saliency":
        raw = saliency(module, x, target, recipe.reduce if recipe.reduce != "pca" else "max")
        return Explanation(
            maps=raw[None],
            labels=(f"saliency: {name}",),
            target=target,
            target_name=name,
            **(common | {"layer": None, "layer_shape": ()}),
        )
    cam = grad_cam(module, x, layer, target, relu=recipe.relu, counterfactual=recipe.counterfactual)
    return Explanation(
        maps=cam.map[None],
        labels=(f"Grad-CAM {layer}: {name}",),
        target=target,
        target_name=name,
        extra={"weights": cam.weights, "layer_map": cam.layer_map},
        **common,
    )


def _activations(activation: np.ndarray, recipe: Recipe, common: dict) -> Explanation:
    layer = common["layer"]
    if recipe.channels > 0:
        count = min(recipe.channels, activation.shape[0])
        labels = tuple(f"{layer}[{c}]" for c in range(count))
        return Explanation(maps=activation[:count].copy(), labels=labels, **common)
    if recipe.reduce == "pca":
        rgb = pca_rgb(activation)  # (3, h, w)
        return Explanation(
            maps=rgb, labels=tuple(f"{layer} PC{i + 1}" for i in range(3)), rgb=rgb, **common
        )
    return Explanation(
        maps=channel_mean(activation)[None], labels=(f"{layer} channel mean",), **common
    )


def _filters(conv, activation: np.ndarray, recipe: Recipe, common: dict) -> Explanation:
    weight = conv.weight.detach().float().cpu().numpy()  # (C_out, 3, kh, kw)
    count = weight.shape[0]
    indices = list(recipe.filters) or (
        list(D6_FILTERS) if count > max(D6_FILTERS) else list(range(min(8, count)))
    )
    bad = [i for i in indices if not 0 <= i < count]
    if bad:
        raise UserError(f"Filter indices {bad} are out of range 0..{count - 1}.")
    labels = tuple(f"{common['layer']}[{i}]" for i in indices)
    return Explanation(
        maps=activation[indices].copy(),
        labels=labels,
        tiles=filter_tiles(weight, indices),
        extra={"indices": indices},
        **common,
    )
