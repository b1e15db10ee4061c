"""The one torch module a SPEC needs beyond torch.nn: the residual block (imports torch).

Its source is `core.arch.spec.RESIDUAL_CLASS`, written into exported code, so a network exported
with `--code` and one built from the SPEC have the same parameter names.
"""

from __future__ import annotations

from torch import nn


class Residual(nn.Module):
    """A residual block: y = body(x) + shortcut(x); the shortcut is the identity by default."""

    def __init__(self, *body: nn.Module, shortcut: nn.Module | None = None):
        super().__init__()
        self.body = nn.Sequential(*body)
        self.shortcut = nn.Identity() if shortcut is None else shortcut

    def forward(self, x):
        return self.body(x) + self.shortcut(x)
