"""Architecture SPECs typed in PyTorch constructor syntax, parsed with `ast` (never eval).

A SPEC is a comma-separated sequence of constructor calls, e.g.
``Conv2d(3, 6, 5), ReLU(), MaxPool2d(2), Flatten(), Linear(400, 120)``.
Arguments must be literals (numbers, strings, booleans, None, tuples); ``nn.`` prefixes and
``Sequential(...)`` nesting are accepted, so a pasted ``nn.Sequential(...)`` works as-is.
``Residual(layer, ..., shortcut=LAYER)`` is a residual block, ``y = body(x) + shortcut(x)``
(identity shortcut when none is given). The shape calculators, the model presets and the layer
table all start from these nodes. Parsing takes time linear in the SPEC's length.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from core.arch.spec_syntax import syntax_message
from core.errors import UserError

BLOCKS = ("Sequential", "Residual")
"""Constructors that hold layers instead of literal arguments."""


class SpecError(UserError):
    """A SPEC that cannot be parsed; the message says where and what would fit."""


@dataclass(frozen=True)
class LayerSpec:
    """One constructor call of a SPEC, with its literal arguments."""

    type: str  # constructor name without "nn.", e.g. "Conv2d"
    args: tuple[Any, ...] = ()  # positional arguments, as Python literals
    kwargs: dict[str, Any] = field(default_factory=dict)  # keyword arguments
    children: tuple[LayerSpec, ...] = ()  # Sequential's layers; Residual's body
    source: str = ""  # the call as the user typed it, for error messages
    shortcut: LayerSpec | None = None  # Residual only: the shortcut branch; None = identity

    def __str__(self) -> str:
        return self.source or format_layer(self)

    @property
    def is_block(self) -> bool:
        return self.type in BLOCKS


class _Source:
    """The parsed text with its line offsets, so a node's text is one slice (ast's
    get_source_segment re-splits the whole text per call, quadratic for long SPECs)."""

    def __init__(self, text: str):
        self.data = text.encode("utf-8")  # ast's column offsets count UTF-8 bytes
        self.starts = [0]
        for index, byte in enumerate(self.data):
            if byte == 0x0A:
                self.starts.append(index + 1)

    def segment(self, node: ast.AST) -> str:
        start = self.starts[node.lineno - 1] + node.col_offset
        end = self.starts[node.end_lineno - 1] + node.end_col_offset
        return self.data[start:end].decode("utf-8", errors="replace")


def parse_spec(text: str) -> list[LayerSpec]:
    """Parse a SPEC into its top-level layers (a single outer Sequential is unwrapped)."""
    if not text.strip():
        raise SpecError("The SPEC is empty: type layers such as `Conv2d(3, 6, 5), ReLU()`.")
    wrapped = f"[{text}\n]"  # as typed: error positions are the user's lines and columns
    try:
        tree = ast.parse(wrapped, mode="eval")
    except SyntaxError as error:
        raise SpecError(syntax_message(text, error)) from None
    except (RecursionError, MemoryError):
        raise SpecError(
            "Cannot read the SPEC: the text nests too deeply. "
            "Write layers as `Name(arg, key=value)`, separated by commas."
        ) from None
    assert isinstance(tree.body, ast.List)
    source = _Source(wrapped)
    layers = [_parse_call(node, source) for node in tree.body.elts]
    if len(layers) == 1 and layers[0].type == "Sequential":
        return list(layers[0].children)
    return layers


def _parse_call(node: ast.expr, source: _Source) -> LayerSpec:
    text = source.segment(node)
    if not isinstance(node, ast.Call):
        raise SpecError(f"`{text}` is not a layer: write a constructor call such as `ReLU()`.")
    name = _call_name(node.func, text)
    if name == "Sequential":
        if node.keywords:
            raise SpecError(f"`{text}`: Sequential takes layers only, no keyword arguments.")
        children = tuple(_parse_call(child, source) for child in node.args)
        return LayerSpec("Sequential", children=children, source=text)
    if name == "Residual":
        return _parse_residual(node, source, text)
    args = tuple(_literal(arg, text) for arg in node.args)
    kwargs: dict[str, Any] = {}
    for keyword in node.keywords:
        if keyword.arg is None:
            raise SpecError(f"`{text}`: `**` unpacking is not supported; name each argument.")
        kwargs[keyword.arg] = _literal(keyword.value, text)
    return LayerSpec(name, args, kwargs, source=text)


def _parse_residual(node: ast.Call, source: _Source, text: str) -> LayerSpec:
    short = _short(text)
    body = tuple(_parse_call(child, source) for child in node.args)
    if not body:
        raise SpecError(
            f"`{short}`: a Residual block needs at least one layer in its body, "
            "e.g. Residual(Conv2d(16, 16, 3, padding=1), ReLU())."
        )
    shortcut = None
    for keyword in node.keywords:
        if keyword.arg != "shortcut":
            raise SpecError(
                f"`{short}`: Residual takes its body layers and one keyword, shortcut=…; "
                f"`{keyword.arg or '**'}` is not one."
            )
        if isinstance(keyword.value, ast.Constant) and keyword.value.value is None:
            continue  # shortcut=None: the identity
        shortcut = _parse_call(keyword.value, source)
    return LayerSpec("Residual", children=body, source=text, shortcut=shortcut)


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _call_name(func: ast.expr, text: str) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and ast.unparse(func.value) in ("nn", "torch.nn"):
        return func.attr
    raise SpecError(f"`{_short(text)}`: expected a layer name like `Conv2d` or `nn.Conv2d`.")


def _literal(node: ast.expr, text: str) -> Any:
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        raise SpecError(
            f"`{_short(text)}`: the argument `{_short(ast.unparse(node))}` is not a literal; "
            "use numbers, strings, True/False/None or tuples."
        ) from None
    if isinstance(value, list):
        return tuple(value)
    return value


def format_layer(layer: LayerSpec, indent: str = "") -> str:
    """PyTorch source for one layer (``nn.``-qualified), blocks indented one level per depth."""
    if layer.type == "Sequential":
        inner = ",\n".join(format_layer(child, indent + "    ") for child in layer.children)
        return f"{indent}nn.Sequential(\n{inner},\n{indent})"
    if layer.type == "Residual":
        parts = [format_layer(child, indent + "    ") for child in layer.children]
        if layer.shortcut is not None:
            shortcut = format_layer(layer.shortcut, indent + "    ").lstrip()
            parts.append(f"{indent}    shortcut={shortcut}")
        return f"{indent}Residual(\n" + ",\n".join(parts) + f",\n{indent})"
    parts = [repr(arg) for arg in layer.args]
    parts += [f"{key}={value!r}" for key, value in layer.kwargs.items()]
    return f"{indent}nn.{layer.type}({', '.join(parts)})"


def format_sequential(layers: list[LayerSpec]) -> str:
    """The whole SPEC as ``nn.Sequential(...)`` source code (parse_spec reads it back)."""
    return format_layer(LayerSpec("Sequential", children=tuple(layers)))


def has_residual(layers: list[LayerSpec]) -> bool:
    """Whether any block of the SPEC is a Residual (its code then needs the Residual class)."""
    stack = list(layers)
    while stack:
        layer = stack.pop()
        if layer.type == "Residual":
            return True
        stack.extend(layer.children)
    return False


RESIDUAL_CLASS = '''class Residual(nn.Module):
    """A residual block: y = body(x) + shortcut(x); the shortcut is the identity by default."""

    def __init__(self, *body, shortcut=None):
        super().__init__()
        self.body = nn.Sequential(*body)
        self.shortcut = nn.Identity() if shortcut is None else shortcut

    def forward(self, x):
        return self.body(x) + self.shortcut(x)
'''
"""The block `build_module` instantiates, as source; `format_module` pastes it into scripts."""


def format_module(layers: list[LayerSpec], class_name: str = "Net") -> str:
    """A self-contained Python file: the network as an ``nn.Sequential`` subclass (same
    parameter names as `build_module`), with the Residual class when the SPEC has blocks.
    `cnn-tui summary FILE.py:Net` and `train --arch FILE.py:Net` read it back."""
    body = format_sequential(layers)
    inner = body[len("nn.Sequential(") : -1].rstrip().rstrip(",")
    inner = "\n".join(f"        {line}" if line else line for line in inner.strip("\n").split("\n"))
    residual = f"\n\n{RESIDUAL_CLASS}" if has_residual(layers) else ""
    return (
        f"from torch import nn\n{residual}\n\n"
        f"class {class_name}(nn.Sequential):\n"
        f"    def __init__(self):\n"
        f"        super().__init__(\n{inner},\n        )\n"
    )


def build_module(layers: list[LayerSpec], leaf=None):
    """Instantiate the SPEC as a real ``torch.nn.Sequential`` (imports torch on first use).

    `leaf(layer)` may build a (non-block) layer itself, e.g. the scratch lab's own Linear and
    Conv2d; when it returns None the torch.nn layer is built."""
    from torch import nn

    from core.arch.blocks import Residual

    def build(layer: LayerSpec) -> nn.Module:
        if layer.type == "Sequential":
            return nn.Sequential(*(build(child) for child in layer.children))
        if layer.type == "Residual":
            shortcut = None if layer.shortcut is None else build(layer.shortcut)
            return Residual(*(build(child) for child in layer.children), shortcut=shortcut)
        own = None if leaf is None else leaf(layer)
        if own is not None:
            return own
        constructor = getattr(nn, layer.type, None)
        if not (isinstance(constructor, type) and issubclass(constructor, nn.Module)):
            raise SpecError(f"`{layer}`: torch.nn has no layer named `{layer.type}`.")
        try:
            return constructor(*layer.args, **layer.kwargs)
        except (TypeError, ValueError, AssertionError, RuntimeError) as error:
            raise SpecError(f"`{layer}`: {error}") from None

    return nn.Sequential(*(build(layer) for layer in layers))
