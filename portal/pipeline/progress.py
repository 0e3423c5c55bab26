"""Step-by-step progress of a data build: what is read, validated and written, with counts and elapsed time."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


class BuildLog:
    """Prints one line per step, `[  12.3 s] what happened`, to a stream (stderr by default).

    Steps are short sentences with counts, so a first build that takes a minute shows where it is; a quiet
    log (tests) collects the lines without printing them.
    """

    def __init__(self, stream: TextIO | None = sys.stderr, clock: Callable[[], float] = time.perf_counter):
        self._stream = stream
        self._clock = clock
        self._started = clock()
        self.lines: list[str] = []

    @property
    def elapsed(self) -> float:
        return self._clock() - self._started

    def step(self, message: str) -> None:
        line = f"[{self.elapsed:6.1f} s] {message}"
        self.lines.append(line)
        if self._stream is not None:
            print(line, file=self._stream, flush=True)


def quiet() -> BuildLog:
    """A log that records its lines without printing them."""
    return BuildLog(stream=None)
