"""Run untrusted work in killable worker processes with CPU-time and memory limits.

    for task_id, outcome in run_limited(judge_one, tasks, jobs=2, limits=Limits(cpu_seconds=5)):
        ...  # outcome is Finished(value) or Stopped(reason)

`jobs` workers are `fork`ed from this process (which has already imported
SymPy and loaded the key, so they start warm) and each runs many tasks, one
at a time, under limits set with `resource.setrlimit`:

- RLIMIT_CPU: before each task the soft limit is set to the worker's CPU time
  so far plus `cpu_seconds`; passing it raises SIGXCPU, which the worker turns
  into a "CPU-time limit" result between two bytecodes.
- RLIMIT_AS: the worker's address space is capped at what the parent mapped
  plus `memory_bytes`; exceeding it is a MemoryError, reported as "memory limit".
- A wall-clock deadline per task in the parent catches a worker stuck where no
  signal handler runs (inside one long C call): it is killed with SIGKILL.

A worker that hits a limit or dies is replaced by a fresh fork, so one
pathological answer costs at most its own limits and never stalls the others.
POSIX only (fork, setrlimit); the project runs on Linux.
"""

from __future__ import annotations

import math
import os
import pickle
import resource
import select
import signal
import struct
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

_HEADER = struct.Struct("!Q")


@dataclass(frozen=True)
class Limits:
    cpu_seconds: float = 5.0
    memory_bytes: int = 1 << 30  # beyond the parent's current address space
    wall_seconds: float | None = None  # default: 2 × cpu + 5

    @property
    def wall(self) -> float:
        return self.wall_seconds if self.wall_seconds is not None else 2 * self.cpu_seconds + 5


@dataclass(frozen=True)
class Finished:
    value: Any


@dataclass(frozen=True)
class Stopped:
    reason: str


class _CpuLimit(BaseException):
    pass


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return None


def _send(fd: int, payload) -> None:
    data = pickle.dumps(payload)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _receive(fd: int):
    """One framed message from `fd`, or None at end of file (blocking)."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    (length,) = _HEADER.unpack(header)
    data = _read_exactly(fd, length)
    return None if data is None else pickle.loads(data)  # our own process's bytes


def _read_exactly(fd: int, count: int) -> bytes | None:
    chunks, remaining = [], count
    while remaining:
        chunk = os.read(fd, remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _worker(func: Callable, limits: Limits, tasks_fd: int, results_fd: int) -> None:
    """In the forked worker: run tasks until told to stop or a limit is hit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C

    def on_xcpu(signum, frame):
        raise _CpuLimit()

    signal.signal(signal.SIGXCPU, on_xcpu)
    current = _address_space()
    if current is not None:
        cap = current + limits.memory_bytes
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or cap < hard:
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    while True:
        message = _receive(tasks_fd)
        if message is None:
            return
        task_id, args = message
        stop = False
        try:
            soft = math.ceil(_cpu_used() + limits.cpu_seconds)
            if cpu_hard != resource.RLIM_INFINITY:
                soft = min(soft, cpu_hard)
            resource.setrlimit(resource.RLIMIT_CPU, (soft, cpu_hard))
            result = ("ok", func(*args))
        except _CpuLimit:
            result, stop = ("limit", f"CPU-time limit ({limits.cpu_seconds:g} s) reached"), True
        except MemoryError:
            result, stop = (
                ("limit", f"memory limit ({limits.memory_bytes >> 20} MiB) reached"),
                True,
            )
        except RecursionError:
            result, stop = ("limit", "recursion limit reached"), True
        except BaseException as exc:  # report anything else, then start afresh
            result, stop = ("error", f"{type(exc).__name__}: {str(exc)[:200]}"), True
        finally:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_hard, cpu_hard))
        try:
            _send(results_fd, (task_id, result))
        except Exception as exc:
            _send(results_fd, (task_id, ("error", f"unsendable result: {type(exc).__name__}")))
        if stop:
            return


@dataclass
class _Worker:
    pid: int
    tasks_fd: int
    results_fd: int
    task: Any = None  # (task_id,) while busy
    deadline: float = math.inf
    buffer: bytearray = field(default_factory=bytearray)


def _spawn(func: Callable, limits: Limits, others: list[_Worker]) -> _Worker:
    task_read, task_write = os.pipe()
    result_read, result_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the worker
        try:
            os.close(task_write)
            os.close(result_read)
            for other in others:  # or a sibling would never see its pipe close
                os.close(other.tasks_fd)
                os.close(other.results_fd)
            _worker(func, limits, task_read, result_write)
        finally:
            os._exit(0)
    os.close(task_read)
    os.close(result_write)
    return _Worker(pid, task_write, result_read)


def _retire(worker: _Worker, kill: bool) -> int:
    """Close a worker's pipes and reap it; returns its wait status."""
    if kill:
        try:
            os.kill(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for fd in (worker.tasks_fd, worker.results_fd):
        try:
            os.close(fd)
        except OSError:
            pass
    _, status = os.waitpid(worker.pid, 0)
    return status


def _death(status: int) -> str:
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        return f"the worker was killed by {name} (CPU-time or memory limit)"
    return "the worker exited without a result"


def _messages(worker: _Worker) -> list:
    """Complete framed messages in the worker's buffer."""
    out = []
    while len(worker.buffer) >= _HEADER.size:
        (length,) = _HEADER.unpack_from(worker.buffer)
        if len(worker.buffer) < _HEADER.size + length:
            break
        data = bytes(worker.buffer[_HEADER.size : _HEADER.size + length])
        del worker.buffer[: _HEADER.size + length]
        out.append(pickle.loads(data))
    return out


def run_limited(
    func: Callable, tasks: Iterable[tuple[Any, tuple]], jobs: int = 1, limits: Limits | None = None
) -> Iterator[tuple[Any, Finished | Stopped]]:
    """Run func(*args) for each (task_id, args) in `jobs` limited workers; yield
    (task_id, outcome) as they complete."""
    limits = limits or Limits()
    pending = deque(tasks)
    workers: list[_Worker] = []
    try:
        while pending or any(w.task is not None for w in workers):
            # Hand out work: idle workers first, then new ones up to `jobs`.
            for worker in workers:
                if worker.task is None and pending:
                    _assign(worker, pending.popleft(), limits)
            while pending and len(workers) < max(1, jobs):
                worker = _spawn(func, limits, workers)
                workers.append(worker)
                _assign(worker, pending.popleft(), limits)
            busy = [w for w in workers if w.task is not None]
            timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready, _, _ = select.select([w.results_fd for w in busy], [], [], timeout)
            for worker in [w for w in busy if w.results_fd in ready]:
                chunk = os.read(worker.results_fd, 1 << 16)
                worker.buffer.extend(chunk)
                gone = not chunk  # the worker died
                for task_id, (kind, payload) in _messages(worker):
                    worker.task, worker.deadline = None, math.inf
                    gone = gone or kind != "ok"  # a worker stops after a limit or error
                    yield task_id, Finished(payload) if kind == "ok" else Stopped(payload)
                if gone:
                    task = worker.task
                    status = _retire(worker, kill=False)
                    workers.remove(worker)
                    if task is not None:
                        yield task, Stopped(_death(status))
            now = time.monotonic()
            for worker in [w for w in workers if w.task is not None and now >= w.deadline]:
                _retire(worker, kill=True)
                workers.remove(worker)
                yield worker.task, Stopped("wall-clock limit reached; the worker was killed")
    finally:
        for worker in workers:  # idle or interrupted: nothing of theirs is still wanted
            _retire(worker, kill=True)


def _assign(worker: _Worker, task: tuple[Any, tuple], limits: Limits) -> None:
    task_id, args = task
    worker.task = task_id
    worker.deadline = time.monotonic() + limits.wall
    _send(worker.tasks_fd, (task_id, args))


def run_one(func: Callable, args: tuple, limits: Limits | None = None) -> Finished | Stopped:
    """func(*args) in one limited worker."""
    for _, outcome in run_limited(func, [(0, args)], jobs=1, limits=limits):
        return outcome
    raise AssertionError("no outcome")
