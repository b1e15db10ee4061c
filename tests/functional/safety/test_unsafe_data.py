"""A booby-trapped CIFAR-10 folder (every batch file a pickle whose unpickling would create a
file): `train`, `data show` and the Dataset screen refuse it, naming the file, and nothing runs;
the real format (our fixtures, and a file laid out as the Python 2 originals) still loads."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest

from core.data import cifar_pickle
from core.data.datasets import (
    CIFAR10_CLASSES,
    DataMissingError,
    load_dataset,
    make_shapes10,
    write_cifar10_fixture,
)
from tests.helpers.runs import wait_for
from tests.helpers.unsafe import CreatesFile, plant_cifar
from tui.app import make_app
from tui.cli import main
from tui.config import AppConfig

REFUSAL = "is not a CIFAR-10 batch"


@pytest.fixture
def trapped(tmp_path):
    marker = tmp_path / "PWNED"
    return plant_cifar(tmp_path / "data", marker), marker


def test_train_refuses_it_before_a_run_folder_exists(trapped, tmp_path, capsys):
    folder, marker = trapped
    runs = tmp_path / "runs"
    argv = ["--runs-dir", str(runs), "train", "--preset", "lenet5", "--dataset", "cifar10"]
    code = main([*argv, "--data-dir", str(folder.parent), "--epochs", "1"])
    err = capsys.readouterr().err
    assert code == 2 and REFUSAL in err and "Traceback" not in err
    assert str(folder / "data_batch_1") in err and ("io.open" in err or "builtins.open" in err)
    assert not runs.exists() or not any(runs.iterdir()), "no run was created"
    assert not marker.exists()


def test_data_show_refuses_it(trapped, capsys):
    folder, marker = trapped
    assert main(["data", "show", "--dataset", "cifar10", "--data-dir", str(folder.parent)]) == 2
    err = capsys.readouterr().err
    assert REFUSAL in err and str(folder / "data_batch_1") in err and "Traceback" not in err
    assert not marker.exists()


async def test_dataset_screen_refuses_it(trapped, tmp_path, monkeypatch):
    """The screen opens on CIFAR-10 (its files are present) and shows the refusal."""
    from textual.widgets import Static

    folder, marker = trapped
    monkeypatch.setenv("CNN_TUI_DATA", str(folder.parent))
    app = make_app(AppConfig(start="dataset", runs_dir=tmp_path / "runs"))
    async with app.run_test(size=(100, 30)) as pilot:
        info = app.screen.query_one("#dataset-info", Static)
        await wait_for(pilot, lambda: info.has_class("error"), timeout=30)
        assert REFUSAL in str(info.content) and str(folder / "data_batch_1") in str(info.content)
        assert app.screen.dataset is None
    assert not marker.exists()


@pytest.mark.parametrize("name", ["data_batch_3", "test_batch", "batches.meta"])
def test_each_trapped_file_is_refused_by_name(tmp_path, name):
    """One planted file among real ones: the loader names that file."""
    marker = tmp_path / "PWNED"
    folder = write_cifar10_fixture(tmp_path, train_size=20, test_size=10)
    with open(folder / name, "wb") as stream:
        pickle.dump({"data": CreatesFile(marker), "labels": [0]}, stream, protocol=2)
    with pytest.raises(DataMissingError, match=REFUSAL) as caught:
        load_dataset("cifar10", tmp_path)
    assert str(folder / name) in str(caught.value)
    assert not marker.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"data": CreatesFile("/nonexistent/x")},
        {"data": np.array([object()], dtype=object)},
    ],
    ids=["global", "object-array"],
)
def test_only_what_real_files_hold_is_admitted(payload):
    with pytest.raises(cifar_pickle.ForbiddenPickleError):
        cifar_pickle.load(io.BytesIO(pickle.dumps(payload, protocol=2)))


def test_the_fixture_format_still_loads(tmp_path):
    """The generated fixtures (protocol 2, as Python 3 writes them) pass the checks and load
    the very images and labels that were written."""
    write_cifar10_fixture(tmp_path, train_size=50, test_size=20, seed=4)
    dataset = load_dataset("cifar10", tmp_path)
    written = make_shapes10(50, 20, seed=4)
    np.testing.assert_array_equal(dataset.train.images, written.train.images)
    np.testing.assert_array_equal(dataset.test.labels, written.test.labels)
    assert dataset.classes == CIFAR10_CLASSES


class _Python2Pickler(pickle._Pickler):
    """Writes what Python 2's cPickle wrote for the originals: byte strings as BINSTRING and
    numpy's reconstructor under its old module name."""

    dispatch = dict(pickle._Pickler.dispatch)

    def save_bytes(self, obj: bytes) -> None:
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + len(obj).to_bytes(4, "little") + obj)
        self.memoize(obj)

    dispatch[bytes] = save_bytes

    def save_global(self, obj, name=None) -> None:
        if getattr(obj, "__name__", "") == "_reconstruct":
            self.write(pickle.GLOBAL + b"numpy.core.multiarray\n_reconstruct\n")
            self.memoize(obj)
            return
        super().save_global(obj, name)

    dispatch[type(len)] = save_global


def test_a_file_laid_out_like_the_python2_originals_loads(tmp_path):
    rows = np.random.default_rng(0).integers(0, 256, (4, 3072), dtype=np.uint8)
    entry = {  # Python 2 str: bytes here, BINSTRING in the file, str once read as latin-1
        b"batch_label": b"training batch 1 of 5",
        b"labels": [3, 1, 4, 1],
        b"data": rows,
        b"filenames": [b"a.png", b"b.png", b"c.png", b"d.png"],
    }
    stream = io.BytesIO()
    _Python2Pickler(stream, protocol=2).dump(entry)
    raw = stream.getvalue()
    assert b"_codecs" not in raw and b"numpy.core.multiarray" in raw
    loaded = cifar_pickle.load(io.BytesIO(raw))
    np.testing.assert_array_equal(loaded["data"], rows)
    assert loaded["labels"] == [3, 1, 4, 1] and loaded["filenames"][0] == "a.png"
