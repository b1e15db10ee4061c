"""`cnn-tui`: with no subcommand it opens the app; each workspace also has a headless command."""

from __future__ import annotations

import argparse
import os
import pkgutil
import sys
from importlib import import_module
from types import ModuleType

import core
import tui.commands
from core.errors import UserError, storage_error

COMMAND_ORDER = (
    "conv",
    "calc",
    "summary",
    "train",
    "runs",
    "sweep",
    "explain",
    "data",
    "weights",
    "scratch",
    "doctor",
)
"""Order of subcommands in --help; modules not listed here follow alphabetically."""


def command_modules() -> list[ModuleType]:
    """Every subcommand module under tui/commands, in help order."""
    names = [
        info.name
        for info in pkgutil.iter_modules(tui.commands.__path__)
        if not info.name.startswith("_")
    ]  # _name: helpers shared by several commands
    rank = {name: index for index, name in enumerate(COMMAND_ORDER)}
    names.sort(key=lambda name: (rank.get(name, len(rank)), name))
    return [import_module(f"tui.commands.{name}") for name in names]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cnn-tui",
        description="A terminal workbench for CNN course exercises. "
        "Without a subcommand, opens the app.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Over SSH COLORTERM is usually not forwarded: if your terminal supports 24-bit "
        "colour, add --truecolor.",
    )
    parser.add_argument("--version", action="version", version=f"cnn-tui {core.__version__}")
    parser.add_argument(
        "--truecolor",
        action="store_true",
        help="use 24-bit colour even though COLORTERM does not announce it (typical over SSH)",
    )
    parser.add_argument("--theme", metavar="NAME", help="Textual theme, e.g. textual-light")
    parser.add_argument(
        "--runs-dir",
        metavar="DIR",
        help="runs folder (default: $CNN_TUI_RUNS, else ./runs)",
    )
    parser.add_argument(
        "--open",
        metavar="WORKSPACE",
        dest="start",
        default="home",
        help="open this workspace first (conv_lab, calculators, train, monitor, explain, "
        "dataset, scratch_lab)",
    )
    parser.add_argument(
        "--course",
        metavar="PACK",
        help="open a course pack on the Sheet: a pack file or a built-in name (cnn-tui course list)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for module in command_modules():
        sub = subparsers.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.configure(sub)
        sub.set_defaults(handler=module.run)
    return parser


def run_app(args: argparse.Namespace) -> int:
    from core.paths import runs_dir
    from tui.app import make_app
    from tui.config import AppConfig
    from tui.workspaces import BY_ID

    if args.start != "home" and args.start not in BY_ID:
        print(
            f"cnn-tui: error: no workspace {args.start!r}; choose one of {', '.join(BY_ID)}",
            file=sys.stderr,
        )
        return 2
    if args.course:
        from core.course.builtin import open_pack
        from core.course.kinds import PackError

        try:
            open_pack(args.course)  # a bad pack is reported here, before the app starts
        except PackError as error:
            print(f"cnn-tui: error: {error}", file=sys.stderr)
            return 2
    if args.theme:
        from textual.theme import BUILTIN_THEMES

        if args.theme not in BUILTIN_THEMES:
            print(
                f"cnn-tui: error: no theme {args.theme!r}; choose one of "
                f"{', '.join(BUILTIN_THEMES)}",
                file=sys.stderr,
            )
            return 2
    try:
        folder = runs_dir(args.runs_dir)
    except UserError as error:
        print(f"cnn-tui: error: {error}", file=sys.stderr)
        return 2
    config = AppConfig(
        runs_dir=folder,
        truecolor=args.truecolor,
        theme=args.theme,
        start="sheet" if args.course and args.start == "home" else args.start,
        course=args.course,
    )
    app = make_app(config)
    app.run()
    code = app.return_code or 0  # Textual sets 1 when an exception ended the app
    if code:
        print(CRASH_NOTE, file=sys.stderr)
    return code


CRASH_NOTE = (
    "cnn-tui: the app stopped after an unexpected error (above). Training runs go on in their "
    "own processes; start cnn-tui again to continue. Please report the error with the text above."
)
"""Said after Textual's traceback when an exception ended the app (exit code 1)."""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return run_app(args)
    try:
        return args.handler(args)
    except UserError as error:
        print(f"cnn-tui {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`cnn-tui conv --steps | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as error:
        plain = storage_error(error)  # a full, read-only or forbidden folder
        if plain is None:
            raise
        print(f"cnn-tui {args.command}: error: {plain}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
