"""What a layer sees: activations through forward hooks, PCA/mean reductions, first-layer
filters, and the named normalisation step that turns raw maps into [0, 1] for display.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from core.errors import UserError

NORMALISATIONS = ("per-map", "shared", "none")
"""per-map: each map to its own [min, max]; shared: one scale for all maps; none: clip to [0, 1]."""


class LayerError(UserError):
    """A layer name the model does not have."""


@dataclass(frozen=True)
class LayerInfo:
    """One named module and the shape it produces for the current input."""

    name: str  # dotted module name, e.g. "layer4.1.conv2"
    type: str  # module class, e.g. "Conv2d"
    shape: tuple[int, ...]  # output shape without the batch dimension, e.g. (512, 7, 7)


def named_layers(module) -> dict:
    """Every named submodule (the root excluded), by dotted name."""
    return {name: child for name, child in module.named_modules() if name}


def own_thread(hook):
    """A forward hook that acts only on forward passes of the thread that registered it: the
    app shares one model between its workers (listing layers, explaining), and a pass from
    another thread must not overwrite what this one captures."""
    owner = threading.get_ident()

    def guarded(*args, **kwargs):
        if threading.get_ident() == owner:
            return hook(*args, **kwargs)
        return None

    return guarded


def get_layer(module, name: str):
    """The submodule called `name`, or a LayerError listing a few that exist."""
    layers = named_layers(module)
    if name not in layers:
        sample = ", ".join(list(layers)[:12])
        raise LayerError(f"No layer {name!r} in this model; layers include: {sample}, ...")
    return layers[name]


def describe_layers(module, x) -> list[LayerInfo]:
    """Names, types and output shapes of all layers for input x (one forward pass)."""
    import torch

    shapes: dict[str, tuple[int, ...]] = {}
    handles = []
    for name, child in named_layers(module).items():

        def hook(_module, _inputs, output, name=name):
            if isinstance(output, torch.Tensor):
                shapes[name] = tuple(output.shape[1:])

        handles.append(child.register_forward_hook(own_thread(hook)))
    try:
        with torch.no_grad():
            module(x)
    finally:
        for handle in handles:
            handle.remove()
    layers = named_layers(module)
    return [LayerInfo(name, type(layers[name]).__name__, shape) for name, shape in shapes.items()]


def conv_layer_names(module) -> list[str]:
    """Names of the Conv2d layers, in network order."""
    return [
        name for name, child in named_layers(module).items() if type(child).__name__ == "Conv2d"
    ]


def default_layer(module) -> str:
    """The last convolutional stage: `layer4` for ResNets, else the last Conv2d, a residual
    block's shortcut convolutions (1×1 projections) skipped in favour of its body's."""
    layers = named_layers(module)
    if "layer4" in layers:
        return "layer4"
    convs = conv_layer_names(module)
    if not convs:
        raise LayerError("This model has no Conv2d layer to explain.")
    shortcuts = tuple(
        f"{name}.shortcut." for name, child in layers.items() if type(child).__name__ == "Residual"
    )
    return ([name for name in convs if not name.startswith(shortcuts)] or convs)[-1]


def capture_activations(module, x, names: list[str]):
    """Logits and the outputs of the named layers for input x (1, 3, H, W), via forward hooks.

    Returns (logits (num_classes,), {name: activation (C, h, w) float32 numpy}).
    """
    import torch

    captured: dict[str, np.ndarray] = {}
    handles = []
    for name in names:

        def hook(_module, _inputs, output, name=name):
            captured[name] = output.detach()[0].float().cpu().numpy()

        handles.append(get_layer(module, name).register_forward_hook(own_thread(hook)))
    try:
        with torch.no_grad():
            logits = module(x)[0].float().cpu().numpy()  # (num_classes,)
    finally:
        for handle in handles:
            handle.remove()
    return logits, captured


def channel_mean(activation: np.ndarray) -> np.ndarray:
    """Mean over channels: (C, h, w) -> (h, w)."""
    return activation.mean(axis=0)


def pca_rgb(activation: np.ndarray) -> np.ndarray:
    """Project each pixel's channel vector on the first 3 principal components: (3, h, w).

    Channels are centred over pixels; each component's sign is fixed so that its largest
    loading is positive (PCA signs are otherwise arbitrary). Raw projections are returned.
    """
    channels, height, width = activation.shape
    pixels = activation.reshape(channels, -1).T.astype(np.float64)  # (h*w, C)
    centred = pixels - pixels.mean(axis=0, keepdims=True)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)  # vt: (min(h*w, C), C)
    components = np.zeros((3, channels))
    count = min(3, vt.shape[0])
    components[:count] = vt[:count]
    for row in components[:count]:
        if row[np.argmax(np.abs(row))] < 0:
            row *= -1
    projected = centred @ components.T  # (h*w, 3)
    return projected.T.reshape(3, height, width).astype(np.float32)


def first_conv(module):
    """The first Conv2d of the model (its filters look at pixels directly)."""
    for name in conv_layer_names(module):
        return name, get_layer(module, name)
    raise LayerError("This model has no Conv2d layer.")


def filter_tiles(weight: np.ndarray, indices: list[int]) -> np.ndarray:
    """RGB uint8 tiles (K, kh, kw, 3) of first-layer filters, scaled symmetrically around 0.

    One scale for all chosen filters: 0 maps to mid-grey (128), ±max|w| to 0/255.
    """
    chosen = weight[indices]  # (K, 3, kh, kw)
    bound = float(np.abs(chosen).max()) or 1.0
    unit = chosen / (2.0 * bound) + 0.5
    return np.round(np.clip(unit, 0, 1) * 255).astype(np.uint8).transpose(0, 2, 3, 1)


def map_bounds(maps: np.ndarray, mode: str) -> list[tuple[float, float]]:
    """The (lo, hi) that the named rule maps to 0 and 1, one pair per map of (N, h, w)."""
    if mode not in NORMALISATIONS:
        raise UserError(f"Unknown normalisation {mode!r}; choose {', '.join(NORMALISATIONS)}.")
    maps = np.asarray(maps, dtype=np.float32)
    if mode == "none":
        return [(0.0, 1.0)] * len(maps)
    if mode == "shared":
        return [(float(maps.min()), float(maps.max()))] * len(maps)
    return [(float(m.min()), float(m.max())) for m in maps]


def normalise(maps: np.ndarray, mode: str) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Scale maps (N, h, w) to [0, 1] by the named rule; returns (scaled, (lo, hi) per map)."""
    bounds = map_bounds(maps, mode)
    maps = np.asarray(maps, dtype=np.float32)
    if mode == "none":
        return np.clip(maps, 0.0, 1.0), bounds
    scaled = np.stack([unit_scale(m, lo, hi) for m, (lo, hi) in zip(maps, bounds)])
    return scaled, bounds


def unit_scale(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Scale raw values so lo → 0 and hi → 1, as float32 (a flat range maps to 0)."""
    if hi <= lo:
        return np.zeros_like(values, dtype=np.float32)
    return ((values - lo) / (hi - lo)).astype(np.float32, copy=False)
