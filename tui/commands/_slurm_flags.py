"""The launcher and Slurm flags shared by `train`, `sweep` and `doctor`: settings.toml gives the
defaults, these flags override them for one command."""

from __future__ import annotations

import argparse

from core.settings import LAUNCHERS, Settings, load_settings, with_overrides


def add_launcher_arguments(parser: argparse.ArgumentParser, *, launcher: bool = True) -> None:
    """Add --launcher (optional) and the Slurm request flags in their own help group."""
    group = parser.add_argument_group(
        "cluster", "Slurm request (defaults from settings.toml; see `cnn-tui doctor`)"
    )
    if launcher:
        group.add_argument(
            "--launcher",
            choices=LAUNCHERS,
            help="where the worker runs (default: settings, else local)",
        )
    group.add_argument(
        "--settings",
        metavar="FILE",
        help="settings file (default: $XDG_CONFIG_HOME/cnn-tui/settings.toml)",
    )
    group.add_argument("--partition", help="Slurm partition, e.g. gpu")
    group.add_argument("--gpus", help='GPUs per job (--gpus), e.g. "1" or "a100:1"')
    group.add_argument("--gres", help='generic resources (--gres), e.g. "gpu:1"')
    group.add_argument("--cpus", type=int, help="CPUs per task")
    group.add_argument("--mem", help="memory per job, e.g. 16G")
    group.add_argument(
        "--time", dest="time_limit", metavar="TIME", help="time limit, e.g. 02:00:00"
    )
    group.add_argument("--account", help="Slurm account to charge")
    group.add_argument("--qos", help="quality of service")
    group.add_argument(
        "--activate",
        metavar="LINE",
        help='shell line run before the worker, e.g. "source .venv/bin/activate"',
    )
    group.add_argument(
        "--sbatch",
        dest="sbatch_extra",
        action="append",
        metavar="OPTION",
        help="extra #SBATCH option, repeatable, e.g. --sbatch=--constraint=a100",
    )
    group.add_argument(
        "--no-requeue",
        dest="requeue",
        action="store_false",
        default=None,
        help="at the time limit, checkpoint and stop instead of requeueing the job "
        "(default: settings requeue, else requeue)",
    )
    group.add_argument(
        "--script",
        action="store_true",
        help="print the Slurm batch script (and planned runs) and submit nothing",
    )


def settings_from_args(args: argparse.Namespace) -> Settings:
    """settings.toml with this command's flags applied (validated)."""
    return with_overrides(
        load_settings(args.settings),
        launcher=getattr(args, "launcher", None),
        slurm_partition=args.partition,
        slurm_gpus=args.gpus,
        slurm_gres=args.gres,
        slurm_cpus=args.cpus,
        slurm_mem=args.mem,
        slurm_time=args.time_limit,
        slurm_account=args.account,
        slurm_qos=args.qos,
        slurm_activate=args.activate,
        slurm_extra=args.sbatch_extra,
        slurm_requeue=getattr(args, "requeue", None),
    )


def print_script(settings: Settings, runs_folder, run_names: list[str]) -> None:
    """What `--script` prints: the batch script for these (not yet created) runs."""
    from core.cluster.slurm_script import batch_script

    placeholders = [runs_folder / f"ID-{name}" for name in run_names]
    print(
        batch_script(
            placeholders,
            settings.slurm.validate(),
            job_name="cnn-tui-ID",
            output=str(placeholders[0].resolve() / "worker.log"),
        )
    )


def submit_to_slurm(run_dir, settings: Settings, as_json: bool) -> int:
    """Submit a created run with `sbatch` and say how to follow it."""
    from core.cluster.slurm import start_slurm

    launch = start_slurm(run_dir, settings.slurm)
    return announce_launch(
        run_dir,
        launch,
        as_json,
        f"submitted as Slurm job {launch['job_id']} (script {launch['script']})",
    )


def announce_launch(run_dir, launch: dict, as_json: bool, started: str) -> int:
    """Print a launched run: its id (or one JSON object), and on stderr how to follow it."""
    import json
    import sys

    if as_json:
        print(json.dumps({"run_id": run_dir.name, "run_dir": str(run_dir), **launch}))
    else:
        print(run_dir.name)
        print(f"{started}; follow it with `cnn-tui runs show {run_dir.name}`", file=sys.stderr)
    return 0
