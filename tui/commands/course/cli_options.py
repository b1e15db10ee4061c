"""A task's options read by its command's own parser, as if typed after `cnn-tui COMMAND`:
choices, numbers and required options are judged exactly as on the command line."""

from __future__ import annotations

import argparse
import re
from importlib import import_module

from core.course.kinds import KINDS, PackError, option_text
from core.course.pack import Pack, Task


class _Refusal(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """A parser that raises instead of printing usage and exiting."""

    def error(self, message: str):  # type: ignore[override]
        raise _Refusal(message)


def command_parser(kind: str) -> argparse.ArgumentParser:
    """The parser of the kind's command, found the way `tui.cli` finds commands (by name)."""
    words = KINDS[kind].command.split()
    parser = _Parser(prog=f"cnn-tui {' '.join(words)}", add_help=False)
    import_module(f"tui.commands.{words[0]}").configure(parser)
    for word in words[1:]:
        parser = next(a for a in parser._actions if a.nargs == "A...").choices[word]
    return parser


def task_argv(task: Task) -> list[str]:
    """The command line that gives the task's options (positional options first)."""
    kind = KINDS[task.kind]
    argv = [option_text(task.options[name]) for name in kind.positional if name in task.options]
    for name, value in task.options.items():
        if name in kind.positional or name == "answer_for" and kind.name != "conv":
            continue
        flag = "--" + name.replace("_", "-")
        if name in kind.flags:
            if name == "nesterov":
                argv.append(flag if value else "--no-nesterov")
            elif value:
                argv.append(flag)
        elif name in kind.lists:
            for item in value:
                argv.append(f"{flag}={option_text(item)}")
        else:
            argv.append(f"{flag}={option_text(value)}")
    return argv


def task_args(task: Task, source: str = "the pack") -> argparse.Namespace:
    """The task's options as its command's parsed arguments (PackError when refused)."""
    try:
        return command_parser(task.kind).parse_args(task_argv(task))
    except _Refusal as refusal:
        named = re.search(r"argument (?:--)?([\w-]+)", str(refusal))
        line = task.line_of(named.group(1).replace("-", "_")) if named else task.line
        raise PackError(
            f"{source}, line {line}, task {task.id!r}: `cnn-tui "
            f"{KINDS[task.kind].command}` refuses these options: {refusal}"
        ) from None


def check_options(pack: Pack) -> None:
    """Every task's options through its command's parser; a refusal names file, line and task."""
    for task in pack.tasks:
        task_args(task, pack.source)
