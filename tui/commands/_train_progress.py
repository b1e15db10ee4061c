"""The foreground face of `cnn-tui train`: a rich progress bar fed by the run's own events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


def train_foreground(run_dir: Path, config, *, quiet: bool = False) -> dict[str, Any]:
    """Run the worker loop in this process, showing progress on stderr; returns the end event.

    Ctrl-C asks for a clean stop (the run ends `stopped` and can be resumed); a second Ctrl-C
    interrupts at once.
    """
    from core.worker import epoch_line, run_worker

    console = Console(stderr=True, quiet=quiet)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[speed]}"),
        TextColumn("loss {task.fields[loss]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )
    state: dict[str, Any] = {"task": None, "epochs": config.epochs}

    def on_event(event: dict[str, Any]) -> None:
        kind = event["kind"]
        if kind == "start":
            total = event["steps_per_epoch"] * event["epochs"]
            done = event["steps_per_epoch"] * event["resumed_from_epoch"]
            console.print(
                f"[b]{run_dir.name}[/b]: {event['preset']} on {event['dataset_title']} "
                f"({event['train_size']} train / {event['val_size']} val / {event['test_size']} "
                f"test images) on {event['device_name']}"
                + (
                    f", resuming after epoch {event['resumed_from_epoch']}"
                    if event["resumed_from_epoch"]
                    else ""
                )
            )
            state["task"] = progress.add_task(
                "training", total=total, completed=done, speed="", loss="—"
            )
        elif kind == "step" and state["task"] is not None:
            progress.update(
                state["task"],
                completed=event["global_step"],
                description=f"epoch {event['epoch']}/{state['epochs']}",
                speed=f"{event['images_per_s']:,.0f} img/s",
                loss=f"{event['loss']:.4f}",
            )
        elif kind == "epoch":
            progress.console.print(epoch_line(event, state["epochs"]))
        elif kind == "end":
            progress.stop()
            style = {"finished": "green", "stopped": "yellow"}.get(event["status"], "red")
            console.print(f"[{style}]{event['status']}[/]: {event.get('message', '')}")
            if event.get("traceback"):
                console.print(event["traceback"], markup=False, highlight=False)

    with progress:
        return run_worker(run_dir, on_event, catch_sigint=True)
