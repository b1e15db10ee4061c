"""Architecture SPECs typed in PyTorch constructor syntax, parsed with `ast` (never eval).

A SPEC is a comma-separated sequence of constructor calls, e.g.
``Conv2d(3, 6, 5), ReLU(), MaxPool2d(2), Flatten(), Linear(400, 120)``.
Arguments must be literals (numbers, strings, booleans, None, tuples); ``nn.`` prefixes and
``Sequential(...)`` nesting are accepted, so a pasted ``nn.Sequential(...)`` works as-is.
The shape calculators, the model presets and the layer table all start from these nodes.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from core.errors import UserError


class SpecError(UserError):
    """A SPEC that cannot be parsed; the message says where and what would fit."""


@dataclass(frozen=True)
class LayerSpec:
    """One constructor call of a SPEC, with its literal arguments."""

    type: str  # constructor name without "nn.", e.g. "Conv2d"
    args: tuple[Any, ...] = ()  # positional arguments, as Python literals
    kwargs: dict[str, Any] = field(default_factory=dict)  # keyword arguments
    children: tuple[LayerSpec, ...] = ()  # only for Sequential
    source: str = ""  # the call as the user typed it, for error messages

    def __str__(self) -> str:
        return self.source or format_layer(self)


def parse_spec(text: str) -> list[LayerSpec]:
    """Parse a SPEC into its top-level layers (a single outer Sequential is unwrapped)."""
    stripped = text.strip()
    if not stripped:
        raise SpecError("The SPEC is empty: type layers such as `Conv2d(3, 6, 5), ReLU()`.")
    try:
        tree = ast.parse(f"[{stripped}]", mode="eval")
    except SyntaxError as error:
        column = max((error.offset or 1) - 2, 0)
        raise SpecError(
            f"Cannot read the SPEC near column {column + 1}: {error.msg}. "
            "Write layers as `Name(arg, key=value)`, separated by commas."
        ) from None
    assert isinstance(tree.body, ast.List)
    layers = [_parse_call(node, f"[{stripped}]") for node in tree.body.elts]
    if len(layers) == 1 and layers[0].type == "Sequential":
        return list(layers[0].children)
    return layers


def _parse_call(node: ast.expr, source: str) -> LayerSpec:
    text = ast.get_source_segment(source, node) or ast.unparse(node)
    if not isinstance(node, ast.Call):
        raise SpecError(f"`{text}` is not a layer: write a constructor call such as `ReLU()`.")
    name = _call_name(node.func, text)
    if name == "Sequential":
        if node.keywords:
            raise SpecError(f"`{text}`: Sequential takes layers only, no keyword arguments.")
        children = tuple(_parse_call(child, source) for child in node.args)
        return LayerSpec("Sequential", children=children, source=text)
    args = tuple(_literal(arg, text) for arg in node.args)
    kwargs: dict[str, Any] = {}
    for keyword in node.keywords:
        if keyword.arg is None:
            raise SpecError(f"`{text}`: `**` unpacking is not supported; name each argument.")
        kwargs[keyword.arg] = _literal(keyword.value, text)
    return LayerSpec(name, args, kwargs, source=text)


def _call_name(func: ast.expr, text: str) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id
        in (
            "nn",
            "torch.nn",
        )
    ):
        return func.attr
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Attribute)
        and ast.unparse(func.value) == "torch.nn"
    ):
        return func.attr
    raise SpecError(f"`{text}`: expected a layer name like `Conv2d` or `nn.Conv2d`.")


def _literal(node: ast.expr, text: str) -> Any:
    try:
        value = ast.literal_eval(node)
    except ValueError:
        raise SpecError(
            f"`{text}`: the argument `{ast.unparse(node)}` is not a literal; "
            "use numbers, strings, True/False/None or tuples."
        ) from None
    if isinstance(value, list):
        return tuple(value)
    return value


def format_layer(layer: LayerSpec, indent: str = "") -> str:
    """PyTorch source for one layer (``nn.``-qualified), nested Sequentials indented."""
    if layer.type == "Sequential":
        inner = ",\n".join(format_layer(child, indent + "    ") for child in layer.children)
        return f"{indent}nn.Sequential(\n{inner},\n{indent})"
    parts = [repr(arg) for arg in layer.args]
    parts += [f"{key}={value!r}" for key, value in layer.kwargs.items()]
    return f"{indent}nn.{layer.type}({', '.join(parts)})"


def format_sequential(layers: list[LayerSpec]) -> str:
    """The whole SPEC as ``nn.Sequential(...)`` source code, ready to paste into a script."""
    return format_layer(LayerSpec("Sequential", children=tuple(layers)))


def build_module(layers: list[LayerSpec]):
    """Instantiate the SPEC as a real ``torch.nn.Sequential`` (imports torch on first use)."""
    from torch import nn

    def build(layer: LayerSpec) -> nn.Module:
        if layer.type == "Sequential":
            return nn.Sequential(*(build(child) for child in layer.children))
        constructor = getattr(nn, layer.type, None)
        if not (isinstance(constructor, type) and issubclass(constructor, nn.Module)):
            raise SpecError(f"`{layer}`: torch.nn has no layer named `{layer.type}`.")
        try:
            return constructor(*layer.args, **layer.kwargs)
        except (TypeError, ValueError) as error:
            raise SpecError(f"`{layer}`: {error}") from None

    return nn.Sequential(*(build(layer) for layer in layers))
