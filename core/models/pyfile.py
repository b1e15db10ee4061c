"""A student's network from a Python file: imported, instantiated and checked, with errors told
as the student's file and line, only their own traceback frames (imports torch when used).

Only ever called off the UI thread: in the worker process, the CLI, or an app thread worker.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import itertools
import sys
import traceback
from pathlib import Path
from typing import Any

from core.errors import UserError

_COUNTER = itertools.count()


class ArchitectureError(UserError):
    """An architecture that cannot be resolved, built or run; the message says what to fix."""


def file_hash(path: Path) -> str:
    """sha256 of a file's bytes (recorded with a run and its checkpoints)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def split_target(text: str) -> tuple[Path, str | None]:
    """`net.py:Net` → (Path("net.py"), "Net"); `net.py` → (Path, None)."""
    head, sep, tail = text.rpartition(":")
    if sep and head.endswith(".py") and tail.isidentifier():
        return Path(head).expanduser(), tail
    return Path(text).expanduser(), None


def _student_trace(error: BaseException, path: Path) -> str:
    """The traceback lines from the student's own file, then the error itself."""
    target = str(Path(path).resolve())
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if str(Path(frame.filename).resolve()) == target
    ]
    lines = [
        f"  {path.name}, line {frame.lineno}, in {frame.name}: {(frame.line or '').strip()}"
        for frame in frames
    ]
    message = f"{type(error).__name__}: {error}".strip()
    return "\n".join([*lines, f"  {message}"])


def _where(error: BaseException, path: Path) -> str:
    target = str(Path(path).resolve())
    last = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if str(Path(frame.filename).resolve()) == target
    ]
    return f"{path}, line {last[-1].lineno}" if last else str(path)


def load_class(path: Path, class_name: str | None):
    """The nn.Module subclass `class_name` of `path` (or its only one), imported freshly."""
    from torch import nn

    path = Path(path)
    if not path.is_file():
        raise ArchitectureError(f"No Python file {path}: check the path (write FILE.py[:Class]).")
    source = path.read_text(encoding="utf-8", errors="replace")
    try:
        ast.parse(source, filename=str(path))
    except SyntaxError as error:
        line = (error.text or "").rstrip()
        raise ArchitectureError(
            f"{path}, line {error.lineno}: syntax error: {error.msg}\n    {line}"
        ) from None
    name = f"cnn_tui_user_model_{next(_COUNTER)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look classes up here
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # noqa: BLE001 - the student's code may raise anything
        sys.modules.pop(name, None)
        raise ArchitectureError(
            f"{_where(error, path)}: importing the file failed:\n{_student_trace(error, path)}"
        ) from None
    classes = {
        key: value
        for key, value in vars(module).items()
        if isinstance(value, type) and issubclass(value, nn.Module) and value.__module__ == name
    }
    if class_name is None:
        if len(classes) != 1:
            found = ", ".join(classes) or "none"
            raise ArchitectureError(
                f"{path} defines {len(classes)} nn.Module classes ({found}); name one: "
                f"{path}:{next(iter(classes), 'Net')}."
            )
        return next(iter(classes.values()))
    if class_name not in classes:
        raise ArchitectureError(
            f"{path} has no nn.Module class {class_name!r}; it defines "
            f"{', '.join(classes) or 'none'}."
        )
    return classes[class_name]


def instantiate(path: Path, class_name: str | None, arch_args: dict[str, Any] | None):
    """A fresh instance of the student's class, built with `arch_args` keywords."""
    cls = load_class(path, class_name)
    try:
        return cls(**(arch_args or {}))
    except Exception as error:  # noqa: BLE001
        raise ArchitectureError(
            f"{_where(error, path)}: building {cls.__name__}({_kwargs(arch_args)}) failed:\n"
            f"{_student_trace(error, path)}"
        ) from None


def _kwargs(arch_args: dict[str, Any] | None) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in (arch_args or {}).items())


def check_forward(model, path: Path, input_shape: tuple[int, int, int], classes: int) -> None:
    """Run two zero images through the network: it must give (2, classes) scores."""
    import torch

    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = model(torch.zeros(2, *input_shape))  # (2, C, H, W)
    except Exception as error:  # noqa: BLE001
        hint = ""
        if "channels" in str(error):
            hint = f"\n  The images have {input_shape[0]} channels: the first layer must take them."
        raise ArchitectureError(
            f"{_where(error, path)}: forward() fails on a batch of "
            f"{'×'.join(map(str, input_shape))} images:\n{_student_trace(error, path)}{hint}"
        ) from None
    finally:
        model.train(was_training)
    shape = tuple(getattr(out, "shape", ()))
    if not isinstance(out, torch.Tensor) or shape != (2, classes):
        got = "×".join(map(str, shape)) if isinstance(out, torch.Tensor) else type(out).__name__
        raise ArchitectureError(
            f"{path}: forward() must return (N, {classes}) class scores, one per class of the "
            f"dataset; for a batch of 2 it returned {got}. End the network with a layer giving "
            f"{classes} outputs, e.g. nn.Linear(…, {classes})."
        )
