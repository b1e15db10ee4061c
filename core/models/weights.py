"""Pretrained ResNet-18 weights from a file or the torch hub cache, never silently missing.

Compute nodes usually have no internet: weights are fetched once on a login node
(`cnn-tui weights fetch resnet18`, torchvision's own download into the hub cache) and read
from that cache (or an explicit `--weights FILE`) everywhere else.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.errors import UserError
from core.paths import folders_undone_on_failure

RESNET18_FILE = "resnet18-f37072fd.pth"
"""File name torchvision gives ResNet18_Weights.IMAGENET1K_V1 in the hub cache."""

FETCH_HINT = (
    "On a machine with internet (e.g. the login node) run `cnn-tui weights fetch resnet18`, "
    "or pass `--weights FILE` pointing at a copy of resnet18-f37072fd.pth; "
    "or explain a trained run instead (`--model RUN_ID`)."
)


class WeightsMissingError(UserError):
    """Pretrained weights are neither in the given file nor in the torch hub cache."""


def hub_checkpoint_path() -> Path:
    """Where torchvision stores (and looks for) the ResNet-18 ImageNet weights."""
    import torch

    return Path(torch.hub.get_dir()) / "checkpoints" / RESNET18_FILE


def resnet18_imagenet_state_dict(weights_file: str | os.PathLike[str] | None = None) -> dict:
    """The ImageNet ResNet-18 state_dict from `weights_file`, else from the hub cache."""
    import torch

    path = Path(weights_file).expanduser() if weights_file else hub_checkpoint_path()
    if not path.is_file():
        where = (
            f"There is no weights file {path}"
            if weights_file
            else f"No ResNet-18 ImageNet weights in the torch hub cache ({path})"
        )
        raise WeightsMissingError(f"{where}. {FETCH_HINT}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # a truncated download or a file of another kind
        raise WeightsMissingError(
            f"Cannot read {path} as PyTorch weights ({type(error).__name__}): it is another "
            f"kind of file or a truncated download. Delete it and fetch again. {FETCH_HINT}"
        ) from None
    if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict):
        state = state["model"]
    if not isinstance(state, dict) or "conv1.weight" not in state or "fc.weight" not in state:
        raise WeightsMissingError(
            f"{path} does not hold a ResNet-18 state_dict (no conv1.weight / fc.weight). "
            f"{FETCH_HINT}"
        )
    return state


def imagenet_categories() -> list[str]:
    """The 1000 ImageNet class names, from torchvision's weight metadata (no download)."""
    from torchvision.models import ResNet18_Weights

    return list(ResNet18_Weights.IMAGENET1K_V1.meta["categories"])


def fetch_resnet18() -> Path:
    """Download the ImageNet ResNet-18 weights into the hub cache (needs internet)."""
    from torchvision.models import ResNet18_Weights

    path = hub_checkpoint_path()
    if path.is_file():
        resnet18_imagenet_state_dict(path)
        return path
    try:
        with folders_undone_on_failure(path.parent):
            ResNet18_Weights.IMAGENET1K_V1.get_state_dict(progress=True, check_hash=True)
    except OSError as error:  # URLError, socket errors, disk full
        raise WeightsMissingError(
            f"Could not download {ResNet18_Weights.IMAGENET1K_V1.url}: {error}. "
            "This machine seems to have no internet: run the same command on a node that has "
            f"(e.g. the login node); the file lands in {path}, which compute nodes share "
            "when your home directory is shared. Or copy the file there by hand."
        ) from None
    return path
