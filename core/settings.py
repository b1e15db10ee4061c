"""The user's cluster settings (launcher, Slurm request, runs folder), so flags stay short.

Read from `$XDG_CONFIG_HOME/cnn-tui/settings.toml` (else `~/.config/cnn-tui/settings.toml`);
command-line flags override them. Example::

    launcher = "slurm"
    runs_dir = "/shared/$USER/cnn-runs"

    [slurm]
    partition = "gpu"
    gpus = "1"
    time = "02:00:00"
    activate = "module load cuda && source ~/cnn/.venv/bin/activate"
    extra = ["--constraint=a100"]
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from core.errors import UserError

LAUNCHERS = ("local", "slurm")
_TOKEN = re.compile(r"^[A-Za-z0-9_.,:+=/@%-]+$")
_TIME = re.compile(r"^(\d+-)?\d+(:\d{1,2}){0,2}$")
_MEM = re.compile(r"^\d+[KMGT]?$", re.IGNORECASE)


class SettingsError(UserError):
    """The settings file or a flag holds a value the launcher cannot use."""


@dataclass(frozen=True)
class SlurmSettings:
    """What each Slurm job asks for; None means "leave it to the cluster's default"."""

    partition: str | None = None  # --partition
    gpus: str | None = None  # --gpus, e.g. "1" or "a100:1"
    gres: str | None = None  # --gres, e.g. "gpu:1" (clusters that predate --gpus)
    cpus: int | None = None  # --cpus-per-task
    mem: str | None = None  # --mem, e.g. "16G"
    time: str | None = None  # --time, e.g. "02:00:00" or "1-00:00:00"
    account: str | None = None  # --account
    qos: str | None = None  # --qos
    activate: str | None = None  # shell line run before the worker (module load / conda / venv)
    python: str | None = None  # interpreter on the compute node; default: the one running now
    extra: tuple[str, ...] = ()  # more #SBATCH options, e.g. ("--constraint=a100",)
    signal_seconds: int = 120  # USR1 this long before the time limit: checkpoint and stop
    grace_seconds: int = 60  # after a stop request, scancel when the job is still alive
    use_srun: bool = True  # start the worker as a job step (srun) rather than in the batch shell
    requeue: bool = True  # at the time-limit signal: checkpoint, then requeue the same job
    max_requeues: int = 10  # self-requeues per run at most (a cap against endless loops)

    def validate(self) -> SlurmSettings:
        """Return self, or raise SettingsError naming the bad value and what is expected."""
        for name in ("partition", "gpus", "gres", "account", "qos"):
            value = getattr(self, name)
            if value is not None and not _TOKEN.match(value):
                raise SettingsError(
                    f"slurm.{name} = {value!r} is not a Slurm name/value "
                    "(letters, digits and _.,:+=/@%- only)."
                )
        if self.time is not None and not _TIME.match(self.time):
            raise SettingsError(
                f"slurm.time = {self.time!r}: use minutes, HH:MM:SS or D-HH:MM:SS (e.g. 02:00:00)."
            )
        if self.mem is not None and not _MEM.match(self.mem):
            raise SettingsError(f"slurm.mem = {self.mem!r}: use a size such as 16G or 8000M.")
        if self.cpus is not None and self.cpus < 1:
            raise SettingsError(f"slurm.cpus = {self.cpus}: ask for at least 1 CPU.")
        for line in self.extra:
            if "\n" in line or not line.strip().startswith("-"):
                raise SettingsError(
                    f"slurm.extra line {line!r}: each entry is one sbatch "
                    "option such as --constraint=a100."
                )
        for name in ("activate", "python"):
            value = getattr(self, name)
            if value is not None and "\n" in value:
                raise SettingsError(f"slurm.{name} must be a single line.")
        if self.signal_seconds < 0 or self.grace_seconds < 0:
            raise SettingsError("slurm.signal_seconds and slurm.grace_seconds are ≥ 0 seconds.")
        if self.max_requeues < 0:
            raise SettingsError("slurm.max_requeues is 0 (never requeue) or more.")
        return self


@dataclass(frozen=True)
class Settings:
    """Everything settings.toml can hold."""

    launcher: str = "local"  # "local" or "slurm": where training runs by default
    runs_dir: str | None = None  # runs folder (on the shared filesystem for Slurm)
    data_dir: str | None = None  # dataset folder (likewise shared)
    theme: str | None = None  # the app's Textual theme, saved when chosen with ctrl+p
    slurm: SlurmSettings = field(default_factory=SlurmSettings)

    def validate(self) -> Settings:
        if self.launcher not in LAUNCHERS:
            raise SettingsError(f"launcher = {self.launcher!r}: choose local or slurm.")
        self.slurm.validate()
        return self


def settings_path() -> Path:
    """Where settings.toml lives: $XDG_CONFIG_HOME/cnn-tui, else ~/.config/cnn-tui."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "cnn-tui" / "settings.toml"


def _coerce(where: str, name: str, value: Any, kind: type, path: Path) -> Any:
    if kind is tuple:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise SettingsError(f"{path}: {where}{name} must be a list of strings.")
        return tuple(value)
    if kind is int and not isinstance(value, bool) and isinstance(value, int):
        return value
    if kind is bool and isinstance(value, bool):
        return value
    if kind is str:
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return str(value)
    raise SettingsError(f"{path}: {where}{name} = {value!r} should be a {kind.__name__}.")


_SLURM_TYPES = {
    "cpus": int,
    "extra": tuple,
    "signal_seconds": int,
    "grace_seconds": int,
    "use_srun": bool,
    "requeue": bool,
    "max_requeues": int,
}


def load_settings(path: Path | str | None = None) -> Settings:
    """Settings from the TOML file (defaults when it does not exist)."""
    path = Path(path) if path else settings_path()
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"Cannot read {path}: {error}.") from error
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path} is not valid TOML: {error}. Fix or delete it.") from error
    slurm_data = data.pop("slurm", {})
    if not isinstance(slurm_data, dict):
        raise SettingsError(f"{path}: slurm must be a [slurm] table.")
    top = {item.name for item in fields(Settings)} - {"slurm"}
    slurm_names = {item.name for item in fields(SlurmSettings)}
    for where, table, known in (("", data, top), ("slurm.", slurm_data, slurm_names)):
        unknown = sorted(set(table) - known)
        if unknown:
            raise SettingsError(
                f"{path}: unknown setting {where}{unknown[0]}; known: {', '.join(sorted(known))}."
            )
    slurm = SlurmSettings(
        **{
            name: _coerce("slurm.", name, value, _SLURM_TYPES.get(name, str), path)
            for name, value in slurm_data.items()
        }
    )
    top_values = {name: _coerce("", name, value, str, path) for name, value in data.items()}
    return Settings(slurm=slurm, **top_values).validate()


def save_theme(name: str, path: Path | str | None = None) -> None:
    """Write `theme = "name"` into the settings file, leaving every other line (and comment)
    as it is: the line is replaced where it is, else added before the first table."""
    path = Path(path) if path else settings_path()
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        lines = []
    entry = f"theme = {_toml_string(name)}"
    for index, line in enumerate(lines):
        if line.lstrip().startswith("["):
            lines.insert(index, entry)
            break
        if re.match(r"\s*theme\s*=", line):
            lines[index] = entry
            break
    else:
        lines.append(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def with_overrides(settings: Settings, **flags: Any) -> Settings:
    """Settings with every flag that is not None replacing the file's value; `slurm_*` flags
    go to the [slurm] table (e.g. slurm_partition="gpu")."""
    top = {
        key: value
        for key, value in flags.items()
        if value is not None and not key.startswith("slurm_")
    }
    slurm = {
        key.removeprefix("slurm_"): value
        for key, value in flags.items()
        if value is not None and key.startswith("slurm_")
    }
    if "extra" in slurm:
        slurm["extra"] = settings.slurm.extra + tuple(slurm["extra"])
    return replace(settings, slurm=replace(settings.slurm, **slurm), **top).validate()
