"""The `cnn-tui` entry point as a user meets it: help, version, usage errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import core
from tui.cli import command_modules

ROOT = Path(__file__).resolve().parents[3]


def cnn_tui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_lists_every_subcommand_with_its_one_line_help():
    result = cnn_tui("--help")
    assert result.returncode == 0
    assert "--truecolor" in result.stdout
    for module in command_modules():
        line = next(
            line for line in result.stdout.splitlines() if line.strip().startswith(module.NAME)
        )
        assert module.HELP.split()[0] in line or module.HELP[:20] in result.stdout


def test_version():
    result = cnn_tui("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"cnn-tui {core.__version__}"


def test_unknown_subcommand_is_a_short_usage_error():
    result = cnn_tui("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) <= 6


def test_bad_flag_is_a_short_usage_error():
    result = cnn_tui("--no-such-flag")
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr and "Traceback" not in result.stderr


def test_unknown_start_workspace_is_refused_before_the_app_opens():
    result = cnn_tui("--open", "nowhere")
    assert result.returncode == 2
    assert "no workspace 'nowhere'" in result.stderr


def test_every_command_module_follows_the_contract():
    for module in command_modules():
        assert re.fullmatch(r"[a-z]+", module.NAME), module.__name__
        assert module.HELP and "\n" not in module.HELP
        assert callable(module.configure) and callable(module.run)


def test_ci_runs_the_readme_test_command_exactly():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Set up and run the tests", 1)[1]
    command = re.search(r"```bash\n(.+?)\n```", section, re.S).group(1).strip()
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert command in ci_lines


def test_a_closed_pipe_ends_quietly():
    ones = "; ".join(" ".join(["1"] * 40) for _ in range(40))  # 40x40: ~130 kB of steps
    command = (
        f'{sys.executable} -m tui.cli conv --input "{ones}" --kernel "1 0; 0 1" --steps'
        " | head -c 10"
    )
    result = subprocess.run(
        command, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in result.stderr and "Error" not in result.stderr
