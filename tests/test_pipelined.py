"""Chunks prepared in a forked child while the parent writes (app/services/pipelined.py)."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from app.services import pipelined


def _squares(chunk: list[int]) -> list[tuple[int, int]]:
    return [(n, n * n) for n in chunk]


def test_chunks_come_back_prepared_in_order_and_complete():
    got = list(pipelined.prepared_in_child(range(10_007), _squares, 1_000))
    assert [len(chunk) for chunk in got] == [1_000] * 10 + [7]
    assert [pair for chunk in got for pair in chunk] == [(n, n * n) for n in range(10_007)]


def test_the_items_are_iterated_in_another_process():
    def where(chunk: list[int]) -> list[int]:
        return [os.getpid()] * len(chunk)

    pids = {pid for chunk in pipelined.prepared_in_child(range(20), where, 5) for pid in chunk}
    assert pids and os.getpid() not in pids


def test_a_failure_in_the_child_is_raised_here_with_its_traceback():
    def rows():
        yield from range(25)
        raise ValueError("the producer broke at 25")

    got = []
    with pytest.raises(pipelined.ChildFailed, match="the producer broke at 25"):
        for chunk in pipelined.prepared_in_child(rows(), _squares, 10):
            got.append(chunk)
    assert [len(chunk) for chunk in got] == [10, 10]  # what came before the failure


def test_stopping_early_stops_the_child():
    batches = pipelined.prepared_in_child(range(10**9), _squares, 1_000)
    assert next(batches)[0] == (0, 0)
    batches.close()  # runs the generator's cleanup: the child is terminated and joined
    # A child left running would still be among this process's children.
    assert multiprocessing.active_children() == []
