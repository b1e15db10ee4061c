"""Checkpoints that let a run continue exactly where it stopped: weights, optimizer, RNG state.

A runs folder is shared (login and compute nodes, a course's group folder), so a checkpoint is
untrusted input: it holds only tensors and plain values (dicts, lists, tuples, str, numbers,
None) and is always read with `torch.load(weights_only=True)`, which refuses anything else
before it can run. Checkpoints of older versions (numpy's RNG state as a pickled numpy object)
are refused too; `convert_trusted` rewrites one the user vouches for (`cnn-tui runs trust ID`).
"""

from __future__ import annotations

import pickle
import random
import re
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import UserError, storage_error
from core.paths import atomic_path

LAST = "last.pt"  # written after every epoch
BEST = "best.pt"  # written when the selection metric improves
NAMES = (BEST, LAST)
# torch is imported inside the functions: the error types below are imported by torch-free
# screen modules.


class CheckpointError(UserError):
    """A run that has no usable checkpoint."""


class UnsafeCheckpointError(CheckpointError):
    """A checkpoint that holds more than tensors and plain values: never unpickled."""


def rng_state() -> dict[str, Any]:
    """Every random generator a training step may draw from (dropout, shuffles, init), as
    tensors and plain values only."""
    import torch

    kind, keys, position, has_gauss, cached = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": {
            "kind": str(kind),
            "keys": torch.from_numpy(np.asarray(keys, dtype=np.int64)),
            "pos": int(position),
            "has_gauss": int(has_gauss),
            "cached_gaussian": float(cached),
        },
        "python": [int(version), list(internal), gauss_next],
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore what `rng_state` captured."""
    import torch

    torch.set_rng_state(state["torch"])
    numpy_state = state["numpy"]
    np.random.set_state(
        (
            numpy_state["kind"],
            np.asarray(numpy_state["keys"], dtype=np.int64).astype(np.uint32),
            numpy_state["pos"],
            numpy_state["has_gauss"],
            numpy_state["cached_gaussian"],
        )
    )
    version, internal, gauss_next = state["python"]
    random.setstate((version, tuple(internal), gauss_next))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save(path: Path, payload: dict[str, Any]) -> None:
    """torch.save atomically: a crash mid-write leaves the previous checkpoint intact. The
    checkpoint is serialised in memory first, so a full disk fails as an OSError of the write
    (a StorageError with a plain message), not inside torch's zip writer."""
    import io

    import torch

    buffer = io.BytesIO()
    torch.save(payload, buffer)
    try:
        path.parent.mkdir(exist_ok=True)  # checkpoints/, never a run folder deleted meanwhile
    except OSError as error:
        raise storage_error(error) or error from error
    with atomic_path(path, make_parents=False) as temporary:
        with open(temporary, "wb") as stream:
            stream.write(buffer.getbuffer())


def _run_id(path: Path) -> str:
    return path.parent.parent.name if path.parent.name == "checkpoints" else str(path)


def unsafe_message(path: Path, error: Exception) -> str:
    """Why `path` was not opened, and how a user who trusts it converts it."""
    found = re.search(r"GLOBAL ([\w.]+)", str(error))
    what = f" ({found.group(1)})" if found else ""
    return (
        f"{path} was not opened: it holds Python objects other than tensors and plain "
        f"values{what}, and unpickling it could run code written by anyone who can write to "
        "the runs folder. Checkpoints of older cnn-tui versions look like this too: if you "
        "trained this run yourself and nobody else can write to its folder, convert it once "
        f"with `cnn-tui runs trust {_run_id(path)}`; otherwise delete the file."
    )


def load(path: Path, *, mmap: bool = False) -> dict[str, Any]:
    """A checkpoint, unpickled with `weights_only=True` (tensors and plain values only).

    Raises UnsafeCheckpointError for anything else (nothing in the file runs) and
    CheckpointError for a file that is not a checkpoint at all."""
    import torch

    try:
        try:
            payload = torch.load(path, map_location="cpu", weights_only=True, mmap=mmap)
        except RuntimeError as error:
            if not (mmap and "mmap" in str(error)):
                raise
            payload = torch.load(path, map_location="cpu", weights_only=True)  # legacy format
    except pickle.UnpicklingError as error:
        if "GLOBAL" in str(error) or "global" in str(error):  # names a Python object
            raise UnsafeCheckpointError(unsafe_message(path, error)) from None
        raise CheckpointError(
            f"{path} is not a readable checkpoint (damaged, or not written by cnn-tui); it was "
            "not opened. Delete it, or pick another run."
        ) from None
    except (OSError, RuntimeError, EOFError, ValueError, KeyError) as error:
        raise CheckpointError(
            f"{path} is not a readable checkpoint ({error}); delete it or pick another run."
        ) from None
    if not isinstance(payload, dict) or "model" not in payload:
        raise CheckpointError(f"{path} is not a cnn-tui checkpoint (no model weights in it).")
    return payload


def check(path: Path) -> None:
    """Raise what `load` would, without reading the tensors (memory-mapped)."""
    load(path, mmap=True)


def run_checkpoints(run_dir: Path) -> list[Path]:
    """The checkpoint files a run has (best.pt, last.pt)."""
    folder = run_dir / "checkpoints"
    return [folder / name for name in NAMES if (folder / name).is_file()]


def check_run(run_dir: Path) -> None:
    """Raise UnsafeCheckpointError (or CheckpointError) when any checkpoint of the run would be
    refused, before a worker is started on it."""
    for path in run_checkpoints(run_dir):
        check(path)


def _plain(value: Any) -> Any:
    """`value` with numpy objects replaced by tensors and Python numbers."""
    import torch

    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_plain(item) for item in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value.copy())
    if isinstance(value, np.generic):
        return value.item()
    return value


def convert_trusted(path: Path) -> bool:
    """Rewrite an older checkpoint in the safe form; False when it already was safe.

    This unpickles `path` with `weights_only=False`: only for a file the user vouches for."""
    import torch

    try:
        check(path)
        return False
    except UnsafeCheckpointError:
        pass
    payload = torch.load(path, map_location="cpu", weights_only=False)
    rng = payload.get("rng") if isinstance(payload, dict) else None
    if isinstance(rng, dict) and isinstance(rng.get("numpy"), tuple):
        kind, keys, position, has_gauss, cached = rng["numpy"]
        rng["numpy"] = {
            "kind": str(kind),
            "keys": torch.from_numpy(np.asarray(keys, dtype=np.int64)),
            "pos": int(position),
            "has_gauss": int(has_gauss),
            "cached_gaussian": float(cached),
        }
        version, internal, gauss_next = rng["python"]
        rng["python"] = [int(version), list(internal), gauss_next]
    save(path, _plain(payload))
    try:
        check(path)
    except UnsafeCheckpointError as error:
        raise CheckpointError(
            f"{path} still holds objects that are not tensors or plain values after "
            f"conversion: {error}"
        ) from None
    return True
