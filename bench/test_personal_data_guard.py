"""The personal-data guard's time on long texts (`make bench`): it must grow in proportion
to the text's length, also on long runs of digit groups, which once took quadratic time."""

import time

import pytest

from brott.services.personal_data import find_personal_data

SIZES = (25_000, 50_000, 100_000)


def digit_groups(size: int) -> str:
    return ("01 " * (size // 3 + 1))[:size]


def mixed_note(size: int) -> str:
    line = "Oroligt vid Resecentrum 2024-05-12 kl. 22:30–02:00, ring 070-123 45 67. "
    return (line * (size // len(line) + 1))[:size]


@pytest.mark.parametrize("size", SIZES)
def test_guard_on_digit_groups(benchmark, size):
    benchmark(find_personal_data, digit_groups(size))


@pytest.mark.parametrize("size", SIZES)
def test_guard_on_a_realistic_note(benchmark, size):
    benchmark(find_personal_data, mixed_note(size))


@pytest.mark.parametrize("make_text", [digit_groups, mixed_note])
def test_guard_time_grows_linearly(benchmark, make_text):
    """Four times the text may take at most about eight times as long (quadratic: sixteen)."""

    def best_of(text: str, runs: int = 5) -> float:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            find_personal_data(text)
            times.append(time.perf_counter() - started)
        return min(times)

    benchmark.pedantic(find_personal_data, args=(make_text(100_000),), rounds=3)
    small, large = best_of(make_text(25_000)), best_of(make_text(100_000))
    print(f"{make_text.__name__}: 25 kB {small * 1000:.1f} ms, 100 kB {large * 1000:.1f} ms")
    assert large < 8 * small
