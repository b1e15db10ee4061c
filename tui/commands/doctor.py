"""`cnn-tui doctor`: check the cluster setup (Slurm, shared runs folder, data, CUDA on a compute
node, truecolor) and print what to fix."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from tui.commands._numbers import decimal
from tui.commands._slurm_flags import add_launcher_arguments, settings_from_args

NAME = "doctor"
HELP = "check Slurm, the runs and data folders, CUDA on a compute node and colours; say what to fix"

MARKS = {"ok": "[green]✓[/]", "warn": "[yellow]![/]", "fail": "[red]✗[/]"}


def configure(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add(
        "--no-job",
        action="store_true",
        help="skip the tiny compute-node job (CUDA and shared-folder check)",
    )
    add(
        "--timeout",
        type=decimal(1, 3600, " seconds"),
        default=180.0,
        metavar="S",
        help="seconds to wait for the compute-node job (default 180; a still pending job is "
        "cancelled)",
    )
    add(
        "--runs-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="runs folder (default: $CNN_TUI_RUNS, settings runs_dir, else ./runs)",
    )
    add(
        "--data-dir",
        metavar="DIR",
        help="dataset folder (default: $CNN_TUI_DATA, settings, else the cache)",
    )
    add("--json", action="store_true", help="print one JSON object")
    add_launcher_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from core.cluster.doctor import run_checks
    from core.paths import data_dir, runs_dir
    from core.settings import SettingsError

    try:
        settings = settings_from_args(args)
    except SettingsError:
        settings = None  # the settings check reports it
    checks = run_checks(
        Path(args.settings) if args.settings else None,
        settings,
        runs_dir(getattr(args, "runs_dir", None)),
        data_dir(args.data_dir),
        job=not args.no_job,
        timeout=args.timeout,
    )
    failed = any(check.status == "fail" for check in checks)
    if args.json:
        print(json.dumps({"ok": not failed, "checks": [asdict(check) for check in checks]}))
        return 1 if failed else 0
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    for check in checks:
        console.print(f"{MARKS[check.status]} [bold]{check.name}[/]: {escape(check.detail)}")
    fixes = [check for check in checks if check.fix and check.status != "ok"]
    if fixes:
        console.print("\n[bold]To fix:[/]")
        for check in fixes:
            console.print(f"  • {check.name}: {escape(check.fix)}")
    else:
        console.print("\nAll good.")
    return 1 if failed else 0
