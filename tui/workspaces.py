"""The registry of workspaces: what the Home screen lists, the keys, the palette entries."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module


@dataclass(frozen=True)
class Workspace:
    """One workspace of the app, loaded lazily so the first frame never waits on it."""

    id: str  # mode name, also the help file name (tui/help/<id>.md)
    key: str  # global key that opens it
    title: str  # shown on Home, in the palette and in the header
    purpose: str  # one line: what a student does there
    exercises: str  # exercise letters from the course sheet
    module: str  # module that defines the screen
    screen: str  # screen class name in that module

    def load(self):
        """Import the screen module now and return a fresh screen instance."""
        return getattr(import_module(self.module), self.screen)()


WORKSPACES: tuple[Workspace, ...] = (
    Workspace(
        "conv_lab",
        "1",
        "Convolution lab",
        "Conv/pool/backprop arithmetic step by step; checks your answers",
        "A1-A4",
        "screens.conv_lab.screen",
        "ConvLabScreen",
    ),
    Workspace(
        "calculators",
        "2",
        "Calculators",
        "Output sizes, solving, receptive fields, params, layer tables",
        "B1-B6",
        "screens.calculators.screen",
        "CalculatorsScreen",
    ),
    Workspace(
        "train",
        "3",
        "Train",
        "Configure a CIFAR-10 / Shapes-10 run and start a GPU worker",
        "C1-C5",
        "screens.train.screen",
        "TrainScreen",
    ),
    Workspace(
        "monitor",
        "4",
        "Monitor",
        "Live accuracy/loss curves; compare, stop, resume, export runs",
        "C1-C5",
        "screens.monitor.screen",
        "MonitorScreen",
    ),
    Workspace(
        "explain",
        "5",
        "Explain",
        "Activations, filters, saliency and Grad-CAM as heatmaps",
        "D2-D6",
        "screens.explain.screen",
        "ExplainScreen",
    ),
    Workspace(
        "dataset",
        "6",
        "Dataset",
        "Examples per class; originals beside their augmentations",
        "D1",
        "screens.dataset.screen",
        "DatasetScreen",
    ),
    Workspace(
        "scratch_lab",
        "7",
        "Scratch lab",
        "Linear and Conv2d from their equations vs PyTorch, timed",
        "A5",
        "screens.scratch_lab.screen",
        "ScratchLabScreen",
    ),
    Workspace(
        "sheet",
        "8",
        "Course sheet",
        "A course pack's tasks, points and your progress; Enter opens a task",
        "any sheet",
        "screens.sheet.screen",
        "SheetScreen",
    ),
)

BY_ID: dict[str, Workspace] = {workspace.id: workspace for workspace in WORKSPACES}
