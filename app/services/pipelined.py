"""Chunks of work prepared in a second process while this one goes on with the last.

A bulk load spends about as long generating and converting its rows (Python, one core)
as the database spends writing them. `prepared_in_child` moves the first half to a
forked child process, so both cores work: the child iterates the rows, prepares each
chunk and sends it through a pipe while the parent writes the one before.

The child is forked, so it starts with a copy of everything the parent holds (the row
generator included) and must touch nothing shared: it never uses the parent's database
connections and ends with `os._exit` (multiprocessing's fork start), closing nothing of
the parent's. Where fork is not available (Windows), the chunks are prepared in this
process, one after another, with the same results.
"""

from __future__ import annotations

import itertools
import multiprocessing
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import Any, TypeVar

T = TypeVar("T")

#: What the child sends: a prepared chunk, the end, or its failure.
_DONE = "done"
_FAILED = "failed"
_CHUNK = "chunk"


class ChildFailed(RuntimeError):
    """The child process raised while preparing a chunk; the message holds its traceback."""


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last one shorter)."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def prepared_in_child(
    items: Iterable[T], prepare: Callable[[list[T]], Any], size: int
) -> Iterator[Any]:
    """`prepare(chunk)` for each chunk of `size` items, in order, prepared by a child process.

    The parent must not iterate `items` itself. If the child fails, `ChildFailed` is raised
    at the chunk it failed on; if the parent stops early, the child is stopped.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        yield from (prepare(chunk) for chunk in chunks(items, size))
        return
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(
        target=_prepare_all, args=(items, prepare, size, sending), name="prepare-chunks"
    )
    child.start()
    sending.close()  # the child's end: EOF here once the child has gone
    try:
        while True:
            kind, payload = receiving.recv()
            if kind == _DONE:
                break
            if kind == _FAILED:
                raise ChildFailed(payload)
            yield payload
    finally:
        receiving.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _prepare_all(
    items: Iterable[Any], prepare: Callable[[list[Any]], Any], size: int, sending: Connection
) -> None:
    """The child: prepare and send every chunk, then say it is done (or how it failed)."""
    try:
        for chunk in chunks(items, size):
            sending.send((_CHUNK, prepare(chunk)))
        sending.send((_DONE, None))
    except BrokenPipeError:  # the parent stopped listening: nothing more to do
        pass
    except BaseException:  # noqa: BLE001 - every failure goes back to the parent
        sending.send((_FAILED, traceback.format_exc()))
    finally:
        sending.close()
