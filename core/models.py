"""The model zoo: the exercise networks as named presets (names are part of the contract).

Each preset's architecture is a SPEC (see `core.spec`), so the calculators, the layer table
and the trainer all see the same network. `resnet18-transfer` is built from torchvision.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.spec import LayerSpec, parse_spec


@dataclass(frozen=True)
class Preset:
    """A named network of the course with the exercise it belongs to."""

    name: str  # contract name, e.g. "lenet5"
    exercise: str  # exercise letters from EXERCISES.md, e.g. "C1"
    title: str  # one line for menus
    spec: str | None  # SPEC for the network; None when built from torchvision
    input_shape: tuple[int, int, int] = (3, 32, 32)  # (C, H, W) the network expects

    def layers(self) -> list[LayerSpec]:
        """The parsed SPEC of this preset."""
        if self.spec is None:
            raise ValueError(f"Preset {self.name} is built from torchvision, not from a SPEC.")
        return parse_spec(self.spec)


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            "lenet5",
            "C1",
            "LeNet-style CNN: conv6-conv16, FC 120-84-10",
            "Conv2d(3, 6, 5), ReLU(), MaxPool2d(2, 2), Conv2d(6, 16, 5), ReLU(), MaxPool2d(2, 2), "
            "Flatten(), Linear(400, 120), ReLU(), Linear(120, 84), ReLU(), Linear(84, 10)",
        ),
        Preset(
            "lenet-8-16",
            "C2",
            "LeNet variant: conv8-conv16, FC 128-64-10",
            "Conv2d(3, 8, 5), ReLU(), MaxPool2d(2, 2), Conv2d(8, 16, 5), ReLU(), MaxPool2d(2, 2), "
            "Flatten(), Linear(400, 128), ReLU(), Linear(128, 64), ReLU(), Linear(64, 10)",
        ),
        Preset(
            "vgg-2x2",
            "C3",
            "Two VGG blocks: [conv32 conv32 pool] [conv64 conv64 pool] dense10",
            "Conv2d(3, 32, 3, padding=1), ReLU(), Conv2d(32, 32, 3, padding=1), ReLU(), "
            "MaxPool2d(2), Conv2d(32, 64, 3, padding=1), ReLU(), Conv2d(64, 64, 3, padding=1), "
            "ReLU(), MaxPool2d(2), Flatten(), Linear(4096, 10)",
        ),
        Preset(
            "convnet-32-64-128",
            "C4, B4",
            "Three 5x5 conv blocks 32-64-128 with pooling, FC 64-10",
            "Conv2d(3, 32, 5, padding=2), ReLU(), MaxPool2d(2), "
            "Conv2d(32, 64, 5, padding=2), ReLU(), MaxPool2d(2), "
            "Conv2d(64, 128, 5, padding=2), ReLU(), MaxPool2d(2), "
            "Flatten(), Linear(2048, 64), ReLU(), Linear(64, 10)",
        ),
        Preset(
            "resnet18-transfer",
            "C5",
            "ImageNet ResNet-18, fc -> Linear(512, 10), only layer4 + fc trainable",
            None,
            (3, 224, 224),
        ),
    )
}
