"""Sizes a user can type are bounded before any work or allocation: each refusal names the
limit and why, with exit code 2, and ends within a time limit."""

from __future__ import annotations

import json
import struct
import zlib

import pytest

from tests.helpers.bounded import refused, within

HUGE = "9" * 5000  # above Python's 4,300-digit limit for int()


def test_conv_lab_refuses_large_padding_and_long_numbers(capsys):
    assert "at most 16" in refused(capsys, "conv", "--preset", "a1", "--padding", "1000")
    assert "at most 16" in refused(capsys, "conv", "--preset", "a1", "--padding", HUGE)
    message = refused(capsys, "conv", "--input", f"1 {HUGE}", "--kernel", "1")
    assert "limit is 24" in message


def test_conv_lab_refuses_large_matrices_and_work(capsys):
    row = " ".join(["1"] * 65)
    assert "up to 64×64" in refused(capsys, "conv", "--input", row, "--kernel", "1")
    side = ";".join([" ".join(["1"] * 32)] * 32)
    message = refused(capsys, "conv", "--input", side, "--kernel", side, "--padding", "16")
    assert "up to 250,000" in message


def test_summary_refuses_huge_digits(capsys):
    message = refused(capsys, "summary", "--preset", "lenet5", "--input", f"3,{HUGE},4")
    assert "--input" in message


def _png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def test_images_declaring_too_many_pixels_or_a_thin_strip_are_refused(tmp_path):
    from PIL import Image

    from core.data.images import ImageError, load_image

    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_declaring(50_000, 50_000))
    assert bomb.stat().st_size < 100
    with within(5), pytest.raises(ImageError, match="40,000,000 pixels"):
        load_image(bomb)
    large = tmp_path / "large.png"
    large.write_bytes(_png_declaring(8_000, 6_000))  # not a bomb for PIL, but over our limit
    with within(5), pytest.raises(ImageError, match="48,000,000 pixels; the limit"):
        load_image(large)
    strip = tmp_path / "strip.png"
    Image.new("RGB", (3000, 1)).save(strip)
    with within(5), pytest.raises(ImageError, match="at most 16 times"):
        load_image(strip)


def test_dataset_indices_with_thousands_of_digits_are_refused():
    from core.data.images import ImageError, load_image

    with within(20), pytest.raises(ImageError, match="test images; pick an index below"):
        load_image(f"shapes:{HUGE}")


def test_counts_and_sizes_of_commands_are_bounded(capsys):
    assert "outside 1..256" in refused(capsys, "data", "show", "--size", "100000")
    assert "outside 1..256" in refused(capsys, "data", "show", "--size", "-5")
    assert "outside 1..100" in refused(capsys, "explain", "--gallery", "1000000", "--model", "x")
    assert "0..2048" in refused(capsys, "explain", "chelsea", "--channels", "-1")
    assert "1..3600" in refused(capsys, "doctor", "--timeout", "nan")
    assert "5000 digits" in refused(capsys, "data", "show", "--page", HUGE)


def test_training_subsets_beyond_the_dataset_are_refused_before_a_run_exists(capsys, tmp_path):
    from core.data.datasets import write_cifar10_fixture

    runs = tmp_path / "runs"
    base = ("train", "--preset", "lenet5", "--epochs", "1", "--runs-dir", str(runs))
    message = refused(capsys, *base, "--dataset", "shapes", "--test-size", "100000000")
    assert "limit of 100,000 Shapes-10 images" in message
    write_cifar10_fixture(tmp_path / "data", train_size=20, test_size=10)
    cifar = (*base, "--dataset", "cifar10", "--data-dir", str(tmp_path / "data"))
    assert "Only 20 training images" in refused(capsys, *cifar, "--train-size", "21")
    assert "Only 10 test images" in refused(capsys, *cifar, "--test-size", "11")
    assert not runs.exists()


def test_summary_of_a_huge_input_is_shape_arithmetic_not_a_forward_pass(capsys):
    import resource

    from tui.cli import main

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB
    with within(60):
        code = main(
            ["summary", "--preset", "resnet18-transfer", "--input", "3,4000,4000", "--json"]
        )
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    layers = {row["name"]: row for row in json.loads(capsys.readouterr().out)["layers"]}
    assert code == 0 and layers["layer4.1.conv2"]["output_shape"] == [512, 125, 125]
    # the conv's MACs follow from its shapes: 512 filters of 512×3×3 at every output cell
    assert layers["layer4.1.conv2"]["macs"] == 512 * 512 * 9 * 125 * 125
    assert grown_mib < 300  # a real forward pass at this size takes about 3 GB
    message = refused(capsys, "summary", "--preset", "lenet5", "--input", "3,4000000,4")
    assert "at most 1,000,000" in message


def test_explain_fields_with_huge_or_negative_numbers_are_refused():
    import numpy as np

    from core.errors import UserError
    from core.explain.attribution import resolve_target
    from core.explain.recipe import parse_channels, parse_filters

    classes = tuple(f"class {i}" for i in range(10))
    with within(5):
        with pytest.raises(UserError, match=r"out of range 0\.\.9"):
            resolve_target(HUGE, classes, np.zeros(10))
        for text in ("-1", HUGE, "2049"):
            with pytest.raises(UserError, match="from 0 .reduce. to 2048"):
                parse_channels(text)
        with pytest.raises(UserError, match="at most 64 filter indices of up to 6 digits"):
            parse_filters(f"1,{HUGE}")
    assert parse_channels("") == 0 and parse_channels("16") == 16


def test_scratch_lab_counts_are_bounded(capsys):
    assert "at most 100000" in refused(capsys, "scratch", "--repeats", "1000000")
    assert "invalid int value" in refused(capsys, "scratch", "--samples", HUGE)
    assert "0..4294967295" in refused(capsys, "scratch", "--seed", "-1")


def test_explain_and_calc_refuse_huge_inputs_on_the_command_line(capsys, tmp_path):
    from PIL import Image

    strip = tmp_path / "strip.png"
    Image.new("RGB", (3000, 1)).save(strip)
    assert "at most 16 times" in refused(capsys, "explain", str(strip), seconds=10)
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_declaring(50_000, 50_000))
    assert "40,000,000 pixels" in refused(capsys, "explain", str(bomb), seconds=10)
    assert "test images; pick an index below" in refused(capsys, "explain", f"shapes:{HUGE}")
    for option in ("--in", "--kernel", "--padding"):
        values = {"--in": "32", "--kernel": "3", "--padding": "0", option: HUGE}
        argv = [part for pair in values.items() for part in pair]
        assert option in refused(capsys, "calc", "--out", "2", *argv, seconds=10)


def test_calc_answers_for_a_billion_wide_input_at_once(capsys):
    from tests.helpers.bounded import within
    from tui.cli import main

    with within(10):
        code = main(["calc", "--in", "1000000000", "--out", "2", "--kernel", "3", "--json"])
    solved = json.loads(capsys.readouterr().out)
    assert code == 0 and solved["solved_for"] == ["stride", "padding"]
    low, high = solved["ranges"]["padding"]
    # out = ⌊(in + 2p − k)/s⌋ + 1 = 2 holds for s in (N/2, N] with N = in + 2p − k
    spans = [10**9 + 2 * p - 3 for p in range(low, high + 1)]
    assert solved["total"] == sum(n - n // 2 for n in spans)
    for fit in solved["solutions"]:
        assert (10**9 + 2 * fit["padding"] - 3) // fit["stride"] + 1 == 2
