"""settings.toml: reading, validation errors that name the problem, flag overrides, and the
runs/data folder rule that honours it."""

from __future__ import annotations

import pytest

from core.paths import data_dir, runs_dir
from core.settings import (
    Settings,
    SettingsError,
    SlurmSettings,
    load_settings,
    settings_path,
    with_overrides,
)

EXAMPLE = """
launcher = "slurm"
runs_dir = "/shared/me/runs"

[slurm]
partition = "gpu"
gpus = 1
cpus = 4
time = "02:00:00"
activate = "source ~/venv/bin/activate"
extra = ["--constraint=a100"]
"""


def write(tmp_path, text):
    path = tmp_path / "settings.toml"
    path.write_text(text)
    return path


def test_missing_file_gives_defaults(tmp_path):
    assert load_settings(tmp_path / "none.toml") == Settings()


def test_example_is_read_with_types(tmp_path):
    settings = load_settings(write(tmp_path, EXAMPLE))
    assert settings.launcher == "slurm" and settings.runs_dir == "/shared/me/runs"
    assert settings.slurm == SlurmSettings(
        partition="gpu",
        gpus="1",
        cpus=4,
        time="02:00:00",
        activate="source ~/venv/bin/activate",
        extra=("--constraint=a100",),
    )


def test_default_location_follows_xdg_config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert settings_path() == tmp_path / "cnn-tui" / "settings.toml"
    (tmp_path / "cnn-tui").mkdir()
    (tmp_path / "cnn-tui" / "settings.toml").write_text('launcher = "slurm"\n')
    assert load_settings().launcher == "slurm"


@pytest.mark.parametrize(
    "text, words",
    [
        ("launcher = 'pbs'", ["launcher", "local or slurm"]),
        ("[slurm]\npartiton = 'gpu'", ["unknown setting slurm.partiton", "partition"]),
        ("[slurm]\ntime = 'two hours'", ["slurm.time", "HH:MM:SS"]),
        ("[slurm]\nmem = 'lots'", ["slurm.mem", "16G"]),
        ("[slurm]\ncpus = 'four'", ["slurm.cpus", "int"]),
        ("[slurm]\nextra = ['constraint=a100']", ["slurm.extra", "--constraint"]),
        ("[slurm]\npartition = 'gpu; rm -rf'", ["slurm.partition"]),
        ("launcher = ", ["not valid TOML"]),
    ],
)
def test_bad_values_are_user_errors_naming_the_setting(tmp_path, text, words):
    with pytest.raises(SettingsError) as error:
        load_settings(write(tmp_path, text))
    assert all(word in str(error.value) for word in words)


def test_flags_override_and_extra_lines_accumulate(tmp_path):
    settings = load_settings(write(tmp_path, EXAMPLE))
    changed = with_overrides(
        settings,
        launcher="local",
        slurm_partition="debug",
        slurm_cpus=None,
        slurm_extra=["--exclusive"],
    )
    assert changed.launcher == "local" and changed.slurm.partition == "debug"
    assert changed.slurm.cpus == 4
    assert changed.slurm.extra == ("--constraint=a100", "--exclusive")
    with pytest.raises(SettingsError):
        with_overrides(settings, slurm_time="soon")


def test_runs_and_data_folders_come_from_settings_after_flags_and_environment(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "cnn-tui").mkdir()
    (tmp_path / "cnn-tui" / "settings.toml").write_text(
        f'runs_dir = "{tmp_path}/shared-runs"\ndata_dir = "{tmp_path}/shared-data"\n'
    )
    monkeypatch.delenv("CNN_TUI_RUNS")
    monkeypatch.delenv("CNN_TUI_DATA")
    assert runs_dir() == tmp_path / "shared-runs"
    assert data_dir() == tmp_path / "shared-data"
    assert str(runs_dir("flag")) == "flag"
    monkeypatch.setenv("CNN_TUI_RUNS", str(tmp_path / "env"))
    assert runs_dir() == tmp_path / "env"
