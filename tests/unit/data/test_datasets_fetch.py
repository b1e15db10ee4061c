"""`cnn-tui data fetch cifar10` through torchvision's real download code, without internet."""

from __future__ import annotations

import json

import pytest

from core.data.datasets import DataMissingError, fetch_cifar10
from tui.cli import main

UNREACHABLE = "http://127.0.0.1:9/cifar-10-python.tar.gz"  # the discard port: refused at once


@pytest.fixture
def no_internet(monkeypatch):
    from torchvision.datasets import CIFAR10

    monkeypatch.setattr(CIFAR10, "url", UNREACHABLE)


def test_failed_download_says_where_and_how(no_internet, tmp_path):
    with pytest.raises(DataMissingError) as caught:
        fetch_cifar10(tmp_path)
    message = str(caught.value)
    assert str(tmp_path) in message and UNREACHABLE in message
    assert "node with internet" in message and "cifar-10-python.tar.gz" in message


def test_cli_fetch_failure_is_one_clean_error_line(no_internet, tmp_path, capsys):
    assert main(["data", "fetch", "cifar10", "--data-dir", str(tmp_path), "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("cnn-tui data: error: Could not download CIFAR-10")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cli_fetch_with_verified_files_prints_one_json_object(tmp_path, capsys, monkeypatch):
    """When torchvision's md5 checks pass nothing is downloaded (here: checks stubbed)."""
    from torchvision.datasets import CIFAR10

    from core.data.datasets import write_cifar10_fixture

    write_cifar10_fixture(tmp_path, train_size=20, test_size=5)
    monkeypatch.setattr(CIFAR10, "_check_integrity", lambda self: True)
    monkeypatch.setattr(CIFAR10, "meta", {**CIFAR10.meta, "md5": None})
    monkeypatch.setattr(CIFAR10, "url", UNREACHABLE)
    assert main(["data", "fetch", "cifar10", "--data-dir", str(tmp_path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["train_images"] == 20 and summary["test_images"] == 5
    assert summary["classes"][0] == "airplane" and summary["verified"] is True
