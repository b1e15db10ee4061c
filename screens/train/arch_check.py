"""The Train form's check of a Python-file architecture, in a thread worker: importing the
student's file (and torch) and running one forward pass never holds up the keys. The result
lands beside the Architecture field only if the form still names the same network."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.widgets import Button, Static

from screens.train.form import ParsedForm


class PythonFileCheck:
    """Mixed into the Train screen: `check_python_file()` after each form check."""

    checked_files: dict[tuple, tuple[bool, str]]  # a network's check, by what it depends on
    files_in_check: set[tuple]  # checks running now
    file_check_key: tuple | None = None  # what the form names now; None = no Python file

    def check_python_file(self) -> None:
        """Start (or reuse) the check of the form's Python file, if it names one."""
        parsed: ParsedForm = self.parsed  # type: ignore[attr-defined]
        config = parsed.config
        if config is None or not config.arch_file:
            self.file_check_key = None
            return
        if not hasattr(self, "checked_files"):
            self.checked_files, self.files_in_check = {}, set()
        key = _key(config)
        self.file_check_key = key
        if key in self.checked_files:
            self._show_file_check(key, *self.checked_files[key])
        elif key not in self.files_in_check:  # one check per file version at a time
            self.files_in_check.add(key)
            self._run_file_check(config, key)

    @work(thread=True, group="arch-file-check")
    def _run_file_check(self, config, key: tuple) -> None:
        from core.data.datasets import class_count
        from core.errors import UserError
        from core.training.setup import check_architecture, run_input_shape

        try:
            params = check_architecture(config)
        except Exception as error:  # noqa: BLE001 - any failure of the student's code is told
            if not isinstance(error, UserError):
                error = UserError(f"{config.arch_file}: {type(error).__name__}: {error}")
            result = (False, f"architecture: {error}")
        except SystemExit as error:  # the student's file called sys.exit() or exit()
            result = (False, f"architecture: {config.arch_file} exits ({error}) when imported")
        else:
            shape = "×".join(map(str, run_input_shape(config)))
            classes = class_count(config.dataset, config.data_dir)
            name = config.model_name
            result = (True, f"✓ {name} (Python file): {params:,} parameters, {shape} images → "
                      f"{classes} classes")  # fmt: skip
        self.app.call_from_thread(self._file_checked, key, *result)  # type: ignore[attr-defined]

    def _file_checked(self, key: tuple, ok: bool, text: str) -> None:
        self.checked_files[key] = (ok, text)
        self.files_in_check.discard(key)
        if key == self.file_check_key:
            self._show_file_check(key, ok, text)

    def _show_file_check(self, key: tuple, ok: bool, text: str) -> None:
        message = self.query_one("#err-arch", Static)  # type: ignore[attr-defined]
        message.update(text)
        message.display = True
        if not ok:  # Launch stays off until the file is fixed (or another network named)
            self.parsed = ParsedForm(None, {"arch": text}, None)
            self.query_one("#launch", Button).disabled = True  # type: ignore[attr-defined]
            self.refresh_bindings()  # type: ignore[attr-defined]


def _key(config) -> tuple[Any, ...]:
    """A check holds while the file's bytes, class, keywords, image size and data are the same."""
    import json
    from pathlib import Path

    path = Path(config.arch_file)
    try:
        stat = path.stat()
        stamp: tuple = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = ()
    args = json.dumps(config.arch_args or {}, sort_keys=True, default=str)
    return (str(path), stamp, config.arch_class, args, config.resize, config.dataset)
