"""A restricted unpickler for CIFAR-10's batch files, which are pickles by design.

A data folder is often shared (`--data-dir` on a group filesystem), and a pickle can run any code
when it is loaded. The official batches hold only dicts, lists, byte strings, str and ints, and
numpy arrays (`numpy.core.multiarray._reconstruct`, `numpy.ndarray`, `numpy.dtype`); files that
Python 3 writes with protocol 2 (our fixtures) add `_codecs.encode(text, "latin1")` for bytes.
`load` admits exactly those and refuses every other global before it is looked up, so nothing in
a crafted file runs.
"""

from __future__ import annotations

import codecs
import pickle
from typing import IO, Any

import numpy as np


class ForbiddenPickleError(pickle.UnpicklingError):
    """The file names a Python object that a CIFAR-10 batch never contains."""

    def __init__(self, module: str, name: str) -> None:
        super().__init__(f"{module}.{name}")
        self.global_name = f"{module}.{name}"


def _latin1_encode(text: str, encoding: str = "latin1", errors: str = "strict") -> bytes:
    """`_codecs.encode` as protocol-2 pickles use it for bytes: latin-1 only."""
    if codecs.lookup(encoding).name != "iso8859-1":
        raise ForbiddenPickleError("_codecs", f"encode(..., {encoding!r})")
    return text.encode("latin1", errors)


_RECONSTRUCT = np.zeros(1).__reduce__()[0]  # numpy's own _reconstruct, whatever its module

ALLOWED: dict[tuple[str, str], Any] = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,  # numpy 1.x and the originals
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,  # numpy 2.x
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): _latin1_encode,
}
"""Every global a CIFAR-10 batch (or a fixture in its format) may name, and what it maps to."""


class _CifarUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        try:
            return ALLOWED[(module, name)]
        except KeyError:
            raise ForbiddenPickleError(module, name) from None

    def persistent_load(self, pid: Any) -> Any:
        raise ForbiddenPickleError("persistent_id", str(pid)[:40])


def load(stream: IO[bytes]) -> Any:
    """Unpickle a CIFAR-10 batch from `stream` (Python 2 str read as latin-1); raises
    ForbiddenPickleError for anything else the file asks to build."""
    value = _CifarUnpickler(stream, encoding="latin1").load()
    _check_arrays(value)
    return value


def _check_arrays(value: Any) -> None:
    """No object arrays: their items would be arbitrary Python objects."""
    if isinstance(value, np.ndarray) and value.dtype.hasobject:
        raise ForbiddenPickleError("numpy", "ndarray(dtype=object)")
    if isinstance(value, dict):
        for item in value.values():
            _check_arrays(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_arrays(item)
