"""What the Explain screen asks for and how it is computed, kept apart from the widgets.

Runs in the screen's thread worker: loads (and caches) the model, loads the image, computes
one explanation per target. Imports torch only inside the functions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.training.restore import run_checkpoint

RESNET18 = "resnet18"
RANDOM_RESNET18 = "resnet18-random"
"""Model choice for trying the screen without weights: seeded random, labelled everywhere."""
RANDOM_SEED = 0


@dataclass(frozen=True)
class ExplainRequest:
    """One press of Explain: the model, the image and up to two recipes (D4 compares two)."""

    model: str  # RESNET18, RANDOM_RESNET18, or a run directory path
    weights_file: str | None  # ResNet-18 weights file; None = the torch hub cache
    image: str  # bundled photo name, cifar10:N / shapes:N, or a file path
    recipes: tuple  # (core.explain.recipe.Recipe, ...) one per target
    data_dir: str | None = None  # dataset folder for cifar10:N


def run_choices(runs_dir: Path) -> list[tuple[str, str]]:
    """(label, run directory) for every run that has a checkpoint, newest first."""
    if not runs_dir.is_dir():
        return []
    runs = sorted(runs_dir.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    return [(f"run {run.name}", str(run)) for run in runs if run_checkpoint(run) is not None]


class ModelCache:
    """Keeps the last loaded model so changing the method or target does not reload it."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._model = None
        self._lock = threading.Lock()  # the layer lister and the explainer may ask at once

    def get(self, model: str, weights_file: str | None):
        with self._lock:
            return self._get(model, weights_file)

    def _get(self, model: str, weights_file: str | None):
        from core.models.loaded import load_resnet18
        from core.training.restore import load_run_model

        key = (model, weights_file)
        if key != self._key:
            if model == RESNET18:
                loaded = load_resnet18(weights_file)
            elif model == RANDOM_RESNET18:
                loaded = load_resnet18(random_seed=RANDOM_SEED)
            else:
                loaded = load_run_model(model, Path(model).parent)
            self._key, self._model = key, loaded
        return self._model


def compute(
    request: ExplainRequest,
    cache: ModelCache,
    progress: Callable[[str], None],
    cancelled: Callable[[], bool] = lambda: False,
):
    """(model, explanations, image label, origin warning) for the request; raises UserError for
    bad input. The label names the true class of a dataset image ("cifar10:3 (cat)")."""
    from core.data.images import load_image
    from core.explain.provenance import origin_note
    from core.explain.recipe import explain, unused_settings

    progress("loading the model…")
    model = cache.get(request.model, request.weights_file)
    progress("reading the image…")
    image, label = load_image(request.image, request.data_dir)
    notes = [origin_note(model, request.image, *image.shape[:2])]
    notes.append(unused_settings(request.recipes[0]))  # every recipe shares these settings
    note = " ".join(text for text in notes if text)
    results = []
    for recipe in request.recipes:
        if cancelled():
            break
        progress(f"computing {recipe.method} ({recipe.target or 'predicted class'})…")
        results.append(explain(model, image, recipe))
    return model, results, label, note


def layer_choices(model) -> list[tuple[str, str]]:
    """(label with output shape, layer name) for the model's layers at its input size."""
    import numpy as np

    from core.data.images import to_tensor
    from core.explain.activations import describe_layers

    size = model.preprocess.size
    x = to_tensor(np.zeros((size, size, 3), dtype=np.uint8), model.preprocess)
    return [
        (f"{info.name} {info.type} {'×'.join(map(str, info.shape))}", info.name)
        for info in describe_layers(model.module, x)
        if len(info.shape) == 3
    ]


def gallery(
    model_choice: str, weights_file: str | None, cache: ModelCache, data_dir: str | None = None
):
    """(correct, wrong) GalleryItems of the chosen run's test images (D5)."""
    from core.explain.gallery import classified_test_images

    return classified_test_images(cache.get(model_choice, weights_file), data_dir)
