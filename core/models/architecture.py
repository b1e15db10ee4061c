"""The one architecture resolver every command and screen uses.

An architecture is named by a preset (`lenet5`), a SPEC string, a SPEC file, a saved name (see
`core.models.library`) or a Python file `net.py[:Class]` with optional constructor keywords.
A run records which in its config (`arch_fields`) and is rebuilt from that record alone
(`from_config`): a Python file is copied into the run folder at launch (`attach`), so the run
keeps working after the student edits or deletes the original.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.arch.spec import LayerSpec, SpecError, parse_spec
from core.arch.table import LayerTable, layer_table
from core.errors import UserError
from core.models import library
from core.models.pyfile import ArchitectureError, file_hash, split_target
from core.models.zoo import PRESETS, build_model, get_preset, preset_table

RUN_MODEL_FILE = "model.py"
"""The copy of a run's Python model inside its run folder."""


@dataclass(frozen=True)
class Architecture:
    """A resolved architecture: what to build and what to call it."""

    kind: str  # "preset" | "spec" | "python"
    name: str  # shown in tables and the Monitor, e.g. "lenet5", "my-resnet", "net.py:Net"
    preset: str | None = None  # kind "preset"
    spec: str | None = None  # kind "spec": the SPEC text
    path: Path | None = None  # kind "python": the file
    class_name: str | None = None  # kind "python": None = the file's only nn.Module class
    args: dict[str, Any] = field(default_factory=dict)  # kind "python": constructor keywords

    def layers(self) -> list[LayerSpec]:
        if self.kind == "preset":
            return get_preset(self.preset).layers()
        if self.kind == "spec":
            return parse_spec(self.spec)
        raise ArchitectureError(f"{self.name} is a Python file, not a SPEC.")

    @property
    def has_spec(self) -> bool:
        return self.kind == "spec" or (
            self.kind == "preset" and get_preset(self.preset).spec is not None
        )

    def build(
        self,
        num_classes: int = 10,
        *,
        pretrained: bool = False,
        weights_file=None,
        freeze_bn: bool = False,
    ):
        """The network as an nn.Module (imports torch). `freeze_bn` only concerns presets with
        frozen layers (resnet18-transfer)."""
        if self.kind == "preset":
            return build_model(
                self.preset,
                num_classes=num_classes,
                weights_file=weights_file,
                pretrained=pretrained,
                freeze_bn=freeze_bn,
            )
        if self.kind == "spec":
            from core.arch.spec import build_module

            return build_module(self.layers())
        from core.models.pyfile import instantiate

        return instantiate(self.path, self.class_name, self.args)

    def table(self, input_shape: tuple[int, int, int]) -> LayerTable:
        """The layer table: arithmetic for SPECs, forward hooks (meta device) for files."""
        if self.kind == "preset":
            return preset_table(self.preset, input_shape)
        if self.kind == "spec":
            return layer_table(self.layers(), input_shape)
        from core.arch.module_table import module_table

        return module_table(self.build(), tuple(input_shape))

    def check(self, input_shape: tuple[int, int, int], classes: int) -> int:
        """Raise a UserError unless the network takes `input_shape` images and gives `classes`
        scores; returns its parameter count."""
        if self.kind == "python":
            from core.models.pyfile import check_forward

            model = self.build()
            check_forward(model, self.path, input_shape, classes)
            return sum(p.numel() for p in model.parameters())
        if self.kind == "preset" and self.spec is None and get_preset(self.preset).spec is None:
            return preset_table(self.preset, input_shape).total_params
        table = self.table(input_shape)
        out = table.rows[-1].out_shape
        if self.kind == "spec" and out != (classes,):
            raise SpecError(
                f"The network ends with {'×'.join(map(str, out))} outputs, but the dataset has "
                f"{classes} classes: end it with a layer giving {classes}, e.g. "
                f"Linear({out[0] if len(out) == 1 else '…'}, {classes})."
            )
        return table.total_params

    def arch_fields(self) -> dict[str, Any]:
        """What a TrainConfig records about this architecture (preset runs record nothing)."""
        if self.kind == "preset":
            return {}
        if self.kind == "spec":
            return {"arch": self.spec, "arch_name": self.name}
        return {
            "arch_file": str(self.path),
            "arch_class": self.class_name,
            "arch_args": dict(self.args) or None,
            "arch_name": self.name,
        }


def resolve(text: str, arch_args: dict[str, Any] | str | None = None) -> Architecture:
    """A preset, saved name, Python file, SPEC file or SPEC string → an Architecture."""
    text = (text or "").strip()
    args = _args(arch_args)
    if not text:
        raise ArchitectureError("No architecture given: name a preset, a file, or type a SPEC.")
    if text in PRESETS:
        _no_args(args, text)
        return Architecture("preset", text, preset=text)
    saved = library.saved_path(text)
    if saved is not None:
        path, class_name = saved
        if path.suffix == ".py":
            return Architecture("python", text, path=path, class_name=class_name, args=args)
        _no_args(args, text)
        return Architecture("spec", text, spec=path.read_text(encoding="utf-8"))
    path, class_name = split_target(text)
    if path.suffix == ".py":
        if not path.is_file():
            raise ArchitectureError(f"No Python file {path}: check the path.")
        label = f"{path.name}:{class_name}" if class_name else path.name
        return Architecture("python", label, path=path, class_name=class_name, args=args)
    if "(" not in text and path.is_file():
        _no_args(args, text)
        spec = path.read_text(encoding="utf-8", errors="replace")
        parse_spec(spec)
        return Architecture("spec", path.name, spec=spec)
    if "(" not in text:
        raise ArchitectureError(
            f"{text!r} is not a preset ({', '.join(PRESETS)}), a saved design "
            f"({', '.join(library.saved_names()) or 'none saved yet'}), a file, or a SPEC such "
            "as `Conv2d(3, 8, 3), ReLU(), Flatten(), Linear(7200, 10)`."
        )
    _no_args(args, "a SPEC")
    parse_spec(text)
    return Architecture("spec", "SPEC", spec=text)


def _args(arch_args: dict[str, Any] | str | None) -> dict[str, Any]:
    if arch_args is None or arch_args == "":
        return {}
    if isinstance(arch_args, str):
        try:
            arch_args = json.loads(arch_args)
        except json.JSONDecodeError as error:
            raise ArchitectureError(
                f"--arch-args must be a JSON object such as '{{\"width\": 64}}': {error.msg}."
            ) from None
    if not isinstance(arch_args, dict):
        raise ArchitectureError("--arch-args must be a JSON object such as '{\"width\": 64}'.")
    return dict(arch_args)


def _no_args(args: dict[str, Any], what: str) -> None:
    if args:
        raise ArchitectureError(f"--arch-args only applies to Python files, not to {what}.")


def from_config(config: dict[str, Any], run_dir: Path | None = None) -> Architecture:
    """The architecture a run's config records (a relative file is inside `run_dir`)."""
    name = config.get("arch_name")
    if config.get("arch_file"):
        path = Path(config["arch_file"])
        if not path.is_absolute() and run_dir is not None:
            path = Path(run_dir) / path
        args = config.get("arch_args") or {}
        return Architecture(
            "python", name or path.name, path=path, class_name=config.get("arch_class"), args=args
        )
    if config.get("arch"):
        return Architecture("spec", name or "SPEC", spec=config["arch"])
    preset = config.get("preset")
    if preset not in PRESETS:
        raise ArchitectureError(
            f"The run's preset {preset!r} is unknown; known: {', '.join(PRESETS)}."
        )
    return Architecture("preset", preset, preset=preset)


def attach(config: dict[str, Any], run_dir: Path) -> dict[str, Any]:
    """Copy a Python model into the run folder and point the config at the copy (with its hash);
    other architectures are returned unchanged."""
    if not config.get("arch_file"):
        return config
    source = Path(config["arch_file"])
    target = Path(run_dir) / RUN_MODEL_FILE
    if source.resolve() != target.resolve():
        shutil.copyfile(source, target)
    return {**config, "arch_file": RUN_MODEL_FILE, "arch_sha256": file_hash(target)}


def variant_config(config: dict[str, Any], run_dir: Path) -> dict[str, Any]:
    """A run's config as the start of a new run: its model file named by its absolute path in
    `run_dir` (so the launch copies that file into the new run folder), without the old hash."""
    if not config.get("arch_file"):
        return dict(config)
    path = Path(config["arch_file"])
    if not path.is_absolute():
        path = Path(run_dir) / path
    return {**config, "arch_file": str(path), "arch_sha256": None}


def arch_text(config: dict[str, Any]) -> str:
    """What a user types to name a config's architecture ("" for a preset's network)."""
    if config.get("arch_file"):
        klass = config.get("arch_class")
        return f"{config['arch_file']}:{klass}" if klass else str(config["arch_file"])
    lines = str(config.get("arch") or "").splitlines()
    return " ".join(" ".join(line.split("#", 1)[0] for line in lines).split())


def arch_record(config: dict[str, Any], run_dir: Path | None) -> dict[str, Any]:
    """What a checkpoint records to prove which network it holds."""
    arch = from_config(config, run_dir)
    if arch.kind == "python":
        return {"kind": "python", "sha256": file_hash(arch.path), "class": arch.class_name}
    if arch.kind == "spec":
        return {"kind": "spec", "spec": arch.spec}
    return {"kind": "preset", "preset": arch.preset}


def verify_record(saved: dict[str, Any] | None, config: dict[str, Any], run_dir: Path | None):
    """Raise ArchitectureError when a checkpoint was written for another network."""
    if not saved:
        return  # checkpoints from before architectures were recorded
    current = arch_record(config, run_dir)
    if saved != current:
        what = {
            "python": "the run's model.py changed since this checkpoint was written",
            "spec": "the run's SPEC differs from the one this checkpoint was trained with",
            "preset": "the checkpoint was written for another preset",
        }.get(current["kind"], "the architecture differs")
        raise ArchitectureError(f"Cannot load the checkpoint: {what}.")


def config_parameters(config: dict[str, Any]) -> int | None:
    """A run's parameter count from its config alone, by SPEC arithmetic (never imports torch):
    for a SPEC design or a SPEC preset; None for a Python file, a torchvision preset, or a
    config that does not describe a network."""
    try:
        arch = from_config(config)
        if arch.kind == "python" or not arch.has_spec:
            return None
        side = config.get("resize") or 32
        return layer_table(arch.layers(), (3, int(side), int(side))).total_params
    except (UserError, TypeError, ValueError, KeyError, AttributeError):
        return None  # a config.json of the wrong shape: no count rather than a crash
