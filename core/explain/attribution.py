"""Which pixels and regions drove a class score: vanilla-gradient saliency (Simonyan et al.)
and Grad-CAM (Selvaraju et al.), both on the pre-softmax score, raw values kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from core.errors import UserError
from core.explain.activations import get_layer, own_thread

SALIENCY_REDUCTIONS = ("max", "mean")
"""Over colour channels: max of |grad| (as in the paper) or mean of |grad|."""


class TargetError(UserError):
    """A target class that is neither an index nor a known class name."""


@dataclass(frozen=True)
class Prediction:
    """One row of the top-k table."""

    index: int  # class index in the model's output
    name: str  # class name
    probability: float  # softmax probability, 0..1


def top_k(logits: np.ndarray, classes: tuple[str, ...], k: int = 5) -> list[Prediction]:
    """The k most probable classes with softmax probabilities."""
    shifted = np.exp(logits - logits.max())
    probabilities = shifted / shifted.sum()
    order = np.argsort(-probabilities, kind="stable")[:k]
    return [Prediction(int(i), classes[i], float(probabilities[i])) for i in order]


def resolve_target(target: str | int | None, classes: tuple[str, ...], logits: np.ndarray) -> int:
    """None → predicted class; an index (int or digits); else a class name (case-insensitive).

    Part of a name is enough when it picks one class: tried as whole words first ("cat" is
    ambiguous among the five ImageNet cats, not "catamaran"), then as a prefix, then anywhere.
    """
    if target is None or target == "":
        return int(np.argmax(logits))
    text = str(target).strip()
    if text.lstrip("-").isdigit():
        if len(text) > 9:
            raise TargetError(f"Class index {text[:12]}… is out of range 0..{len(classes) - 1}.")
        index = int(text)
        if not 0 <= index < len(classes):
            raise TargetError(f"Class index {index} is out of range 0..{len(classes) - 1}.")
        return index
    lowered = [name.lower() for name in classes]
    if text.lower() in lowered:
        return lowered.index(text.lower())
    words = text.lower().split()

    def whole_words(name: str, _: str) -> bool:
        parts = re.split(r"[^\w'-]+", name)
        return any(parts[i : i + len(words)] == words for i in range(len(parts)))

    for test in (whole_words, str.startswith, str.__contains__):
        matches = [i for i, name in enumerate(lowered) if test(name, text.lower())]
        if len(matches) == 1:
            return matches[0]
        if matches:
            names = ", ".join(classes[i] for i in matches[:8])
            raise TargetError(f"{text!r} matches several classes ({names}); be more specific.")
    raise TargetError(f"No class called {text!r}; type a class index or a name from the top-5.")


def saliency(module, x, target: int, reduce: str = "max") -> np.ndarray:
    """|∂ score_target / ∂ x| reduced over colour channels: (H, W) float32 at input size."""
    import torch

    if reduce not in SALIENCY_REDUCTIONS:
        raise UserError(f"Unknown saliency reduction {reduce!r}; choose max or mean.")
    x = x.detach().clone().requires_grad_(True)  # (1, 3, H, W)
    with torch.enable_grad():
        score = module(x)[0, target]
    (grad,) = torch.autograd.grad(score, x)
    magnitude = grad[0].abs()  # (3, H, W)
    reduced = magnitude.amax(dim=0) if reduce == "max" else magnitude.mean(dim=0)  # (H, W)
    return reduced.float().cpu().numpy()


@dataclass(frozen=True)
class GradCam:
    """A Grad-CAM result with everything needed to check it by hand."""

    map: np.ndarray  # (H, W) float32, upsampled bilinearly to the input size, raw values
    layer_map: np.ndarray  # (h, w) float32 at the layer's resolution, raw values
    weights: np.ndarray  # (K,) channel weights alpha_k (spatial means of the gradients)


def grad_cam(
    module, x, layer: str, target: int, relu: bool = True, counterfactual: bool = False
) -> GradCam:
    """ReLU(Σ_k α_k A^k), α_k = mean over (i, j) of ∂ score_target / ∂ A^k_ij.

    `counterfactual` negates the gradients (regions that argue against the class).
    """
    import torch
    import torch.nn.functional as F

    stored: dict[str, torch.Tensor] = {}

    def hook(_module, _inputs, output):
        stored["activation"] = output

    handle = get_layer(module, layer).register_forward_hook(own_thread(hook))
    try:
        with torch.enable_grad():
            score = module(x.detach())[0, target]
            activation = stored["activation"]  # (1, K, h, w)
            (grad,) = torch.autograd.grad(score, activation)
    finally:
        handle.remove()
    if counterfactual:
        grad = -grad
    weights = grad[0].mean(dim=(1, 2))  # (K,)
    cam = (weights[:, None, None] * activation[0].detach()).sum(dim=0)  # (h, w)
    if relu:
        cam = cam.clamp(min=0)
    upsampled = F.interpolate(
        cam[None, None], size=x.shape[-2:], mode="bilinear", align_corners=False
    )[0, 0]  # (H, W)
    return GradCam(
        upsampled.float().cpu().numpy(), cam.float().cpu().numpy(), weights.float().cpu().numpy()
    )
