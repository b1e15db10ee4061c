"""Networks loaded ready to look inside: ImageNet ResNet-18 (a run's own network is restored by
`core.training.restore`), in eval mode with in-place ops off.

Random weights are only ever used when a caller asks for them with a seed, and the model then
says so in its title; missing weights are an error that says how to get them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from core.data.images import IMAGENET, Preprocess
from core.models.weights import imagenet_categories, resnet18_imagenet_state_dict


@dataclass(frozen=True)
class LoadedModel:
    """A network ready to explain or compare: eval mode, no in-place activations."""

    module: Any  # torch.nn.Module in eval mode
    classes: tuple[str, ...]  # class names by output index
    preprocess: Preprocess  # input size and normalisation the model was trained with
    title: str  # one line naming the model and where its weights came from
    random_seed: int | None = None  # set only when weights are seeded random (tests, demos)
    dataset: str | None = None  # a run's dataset ("cifar10" | "shapes"), for its test gallery


def prepare(module):
    """Eval mode, and in-place ops switched off so hooked activations keep their values."""
    for child in module.modules():
        if hasattr(child, "inplace"):
            child.inplace = False
    return module.eval()


def load_resnet18(
    weights_file: str | os.PathLike[str] | None = None, random_seed: int | None = None
) -> LoadedModel:
    """torchvision ResNet-18 with ImageNet weights, or seeded random weights if asked."""
    import torch
    from torchvision.models import resnet18

    if random_seed is None:
        state = resnet18_imagenet_state_dict(weights_file)
        module = resnet18()
        module.load_state_dict(state)
        title = f"ResNet-18, ImageNet weights ({weights_file or 'torch hub cache'})"
    else:
        torch.manual_seed(random_seed)
        module = resnet18()
        title = f"ResNet-18 with RANDOM weights (seed {random_seed}) - not pretrained"
    return LoadedModel(prepare(module), tuple(imagenet_categories()), IMAGENET, title, random_seed)
