"""Worker processes: a list of tasks cut into contiguous parts, one process per part, results in order.

Each part goes to a process forked from this one (so it starts at once, with every module already
imported). Its results come back through a pipe as they are made and are handed out in task
order, whatever the order the processes finish in, together with what the workers logged, so
that a run's output does not depend on timing.

A worker never outlives the process that started it: it ignores Ctrl-C (the main process decides
what to do), ends cleanly on SIGTERM (a catalogue being written is not left half-renamed), and on
Linux the kernel sends it that SIGTERM when the main process dies, even by `kill -9`.
"""

from __future__ import annotations

import copy
import logging
import multiprocessing
import os
import signal
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .errors import IndexingError

log = logging.getLogger(__name__)

# Work in a worker: work(part, emit) calls emit(i, result) for the i-th task of its part and
# returns a value for the whole part (handed out after the part's results).
Work = Callable[[Sequence[Any], Callable[[int, Any], None]], Any]

_PR_SET_PDEATHSIG = 1


def cpu_count() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether worker processes can be forked here (not on Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


def split(weights: Sequence[int], parts: int) -> list[range]:
    """Cut range(len(weights)) into at most `parts` contiguous, non-empty ranges of about equal weight."""
    count = len(weights)
    parts = max(1, min(parts, count))
    total = sum(max(1, w) for w in weights)
    ranges, start, running = [], 0, 0
    for index, weight in enumerate(weights):
        running += max(1, weight)
        left_after = count - index - 1  # tasks left for the ranges still to make
        if len(ranges) < parts - 1 and (running * parts >= total * (len(ranges) + 1)
                                         or left_after == parts - 1 - len(ranges)):
            ranges.append(range(start, index + 1))
            start = index + 1
    if start < count:
        ranges.append(range(start, count))
    return ranges


class WorkerPool:
    """Run work(part, emit) for every part in its own forked process.

    Use as a context manager: leaving it stops any worker still running. results() yields every
    task's result in task order (part after part); finals holds each part's return value, in part
    order, once results() is exhausted.
    """

    def __init__(self, parts: Sequence[Sequence[Any]], work: Work):
        self._parts = parts
        self._work = work
        self._processes: list = []
        self._connections: list = []
        self.finals: list[Any] = []

    def __enter__(self) -> "WorkerPool":
        import multiprocessing.connection  # noqa: F401  (results() waits on the workers' pipes)

        context = multiprocessing.get_context("fork")
        parent = os.getpid()
        # Whatever this process has buffered would be written again by each child.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (AttributeError, ValueError, OSError):
                pass
        try:
            with _interrupt_deferred():
                for part in self._parts:
                    receiver, sender = context.Pipe(duplex=False)
                    process = context.Process(target=_worker, args=(self._work, part, sender, parent),
                                              daemon=True)
                    process.start()
                    sender.close()  # the child's copy stays open: end of file means the child is gone
                    self._processes.append(process)
                    self._connections.append(receiver)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def results(self, on_arrival: Callable[[], None] | None = None) -> Iterator[Any]:
        """Every task's result in task order; on_arrival() is called as each one arrives."""
        buffered: list[deque] = [deque() for _ in self._parts]
        finals: list = [None] * len(self._parts)
        done = [False] * len(self._parts)
        open_parts = {connection: number for number, connection in enumerate(self._connections)}
        current = 0  # the part whose results are handed out now
        while current < len(self._parts):
            while buffered[current]:
                records, result = buffered[current].popleft()
                _replay(records)
                yield result
            if done[current]:
                _replay(finals[current][0])
                current += 1
                continue
            for connection in multiprocessing.connection.wait(list(open_parts)):
                number = open_parts[connection]
                kind, *payload = self._receive(connection, number)
                if kind == "result":
                    records, result = payload
                    buffered[number].append((records, result))
                    if on_arrival:
                        on_arrival()
                elif kind == "done":
                    finals[number] = payload  # [records, value]
                    done[number] = True
                    del open_parts[connection]
                else:
                    error, text = payload
                    self.stop()
                    if error is None:
                        raise RuntimeError(f"worker process {number} failed:\n{text}")
                    error.add_note(f"in worker process {number}:\n{text}")
                    raise error
        self.finals = [value for _, value in finals]
        for process in self._processes:
            process.join()

    def stop(self) -> None:
        """End every worker still running (SIGTERM: each cleans up what it was writing) and wait for it."""
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        for process in self._processes:
            process.join()
        for connection in self._connections:
            connection.close()
        self._processes, self._connections = [], []

    def _receive(self, connection, number: int) -> tuple:
        try:
            return connection.recv()
        except EOFError:
            process = self._processes[number]
            process.join()
            self.stop()
            raise IndexingError(f"worker process {number} ended unexpectedly (exit status {process.exitcode})",
                                hint="run again; with --jobs 1 everything runs in one process") from None


@contextmanager
def _interrupt_deferred() -> Iterator[None]:
    """Hold back Ctrl-C while workers are forked, and raise it once they all are.

    Python runs a signal's handler between two bytecodes, wherever they are: during a fork that
    can be inside an at-fork hook (logging's, in parent and child), where the KeyboardInterrupt is
    printed and dropped, and the run goes on as if no one had pressed Ctrl-C. Here the handler
    only notes the signal; a child inherits that handler until it ignores Ctrl-C itself.
    """
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        # Only the main thread may set handlers; a handler set outside Python could not be put back.
        yield
        return
    pressed = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: pressed.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        if callable(previous):
            previous(signal.SIGINT, None)
        elif previous == signal.SIG_DFL:
            raise KeyboardInterrupt


def _worker(work: Work, part: Sequence[Any], connection, parent: int) -> None:
    """The body of a worker process: run work on its part, sending results and logs through connection."""
    _follow_parent(parent)
    collector = _collect_logs()
    status = 0
    try:
        def emit(index: int, result: Any) -> None:
            connection.send(("result", collector.take(), result))

        value = work(part, emit)
        connection.send(("done", collector.take(), value))
    except SystemExit as exit:  # SIGTERM: the main process is stopping the workers, or is gone
        status = exit.code if isinstance(exit.code, int) else 1
    except BaseException as error:  # noqa: BLE001 - reported to the main process, which raises it
        status = 1
        text = traceback.format_exc()
        try:
            connection.send(("error", error, text))
        except Exception:  # the error does not pickle, or the main process is gone
            try:
                connection.send(("error", None, text))
            except Exception:
                pass
    finally:
        connection.close()
    # Like multiprocessing itself: no atexit handlers or buffers inherited from the main process.
    os._exit(status)


def _follow_parent(parent: int) -> None:
    """Ignore Ctrl-C, end cleanly on SIGTERM, and get SIGTERM when the main process dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _terminate)
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):
            _watch_parent(parent)
    else:
        _watch_parent(parent)
    if os.getppid() != parent:  # it died before the kernel was asked to tell
        _terminate()


def _terminate(*_) -> None:
    raise SystemExit(143)


def _watch_parent(parent: int) -> None:
    """Where the kernel cannot tell a child of its parent's death: check every second."""
    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True).start()


class _LogCollector(logging.Handler):
    """Keep a worker's log records, made picklable, to be sent with its next result."""

    def __init__(self):
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        # What logging.handlers.QueueHandler.prepare does: arguments merged into the message.
        record = copy.copy(record)
        record.msg = record.getMessage()
        if record.exc_info:
            record.msg += "\n" + logging.Formatter().formatException(record.exc_info)
        record.args, record.exc_info, record.exc_text = None, None, None
        self.records.append(record)

    def take(self) -> list[logging.LogRecord]:
        records, self.records = self.records, []
        return records


def _collect_logs() -> _LogCollector:
    """Route every log record of this worker to a collector (the main process shows them)."""
    collector = _LogCollector()
    for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
        if isinstance(logger, logging.Logger):
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
    logging.getLogger().addHandler(collector)
    return collector


def _replay(records: list[logging.LogRecord]) -> None:
    """Hand records logged in a worker to this process's handlers, as if logged here."""
    for record in records:
        logger = logging.getLogger(record.name)
        if not logger.disabled:
            logger.handle(record)
