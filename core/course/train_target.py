"""A train task's target (`min_test_acc`, `within_epochs`) checked against the student's run:
the answer is the run's id in the runs folder, read as untrusted files (JSON events only)."""

from __future__ import annotations

import math
from pathlib import Path

from core.course.pack import Task

DATASET_WORDS = {"shapes": "synthetic Shapes-10", "cifar10": "CIFAR-10"}


def has_target(task: Task) -> bool:
    return task.kind == "train" and bool(task.target)


def target_text(task: Task) -> str:
    """ "≥ 75 % test accuracy within 10 epochs on CIFAR-10" (the data always named)."""
    parts = []
    if "min_test_acc" in task.target:
        parts.append(f"≥ {task.target['min_test_acc']:.0%} test accuracy")
    if "within_epochs" in task.target:
        parts.append(f"within {task.target['within_epochs']:g} epochs")
    wanted = task.options.get("dataset")
    if wanted == "shapes":
        parts.append("on synthetic Shapes-10 (not a CIFAR-10 figure)")
    elif wanted:
        parts.append(f"on {DATASET_WORDS.get(str(wanted), str(wanted))}")
    else:
        parts.append("on the run's data (a CIFAR-10 figure only for a CIFAR-10 run)")
    return " ".join(parts)


def run_verdict(task: Task, runs_dir: Path, run_id: str) -> tuple[bool, str]:
    """(met, why) for the run `run_id`; a missing run is a UserError naming the runs folder."""
    from core.runs.curves import epoch_series
    from core.runs.store import read_json, resolve_run
    from core.runs.summary_cache import cached_digest

    run = resolve_run(runs_dir, run_id.strip())
    config = read_json(run / "config.json") or {}
    dataset = config.get("dataset") if isinstance(config, dict) else None
    wanted = task.options.get("dataset")
    if wanted and dataset != wanted:
        found = DATASET_WORDS.get(str(dataset), str(dataset))
        return False, f"Run {run.name} trained on {found}, not {DATASET_WORDS.get(wanted, wanted)}."
    series = epoch_series(cached_digest(run).head_events(), "test_acc")
    within = task.target.get("within_epochs", math.inf)
    points = [(x, y) for x, y in zip(series.x, series.y) if x <= within and not math.isnan(y)]
    synthetic = " (synthetic Shapes-10)" if dataset == "shapes" else ""
    if not points:
        return False, f"Run {run.name} has no test accuracy within the epochs allowed yet."
    epoch, best = max(points, key=lambda point: point[1])
    reached = f"best test accuracy {best:.1%}{synthetic} at epoch {epoch:g}"
    goal = task.target.get("min_test_acc")
    if goal is None or best >= goal:
        return True, f"Run {run.name}: {reached}."
    return False, f"Run {run.name}: {reached}; the target is {target_text(task)}."
