"""Run untrusted work in killable child processes with CPU-time and memory limits.

    for task_id, outcome in run_limited(judge_one, tasks, jobs=2, limits=Limits(cpu_seconds=5)):
        ...  # outcome is Finished(value) or Stopped(reason)

Each task runs in a fresh `fork` of this process (a few milliseconds: the
parent has already imported SymPy and loaded the key, so the child starts
warm), with `resource.setrlimit` applied in the child before the work:

- RLIMIT_CPU: the soft limit raises SIGXCPU, which the child turns into a
  clean "CPU-time limit" result; the hard limit (one second later) kills it.
- RLIMIT_AS: address space beyond what the parent already maps; exceeding it
  is a MemoryError in the child, reported as "memory limit".
- A wall-clock deadline in the parent (for a child stuck off-CPU) ends in SIGKILL.

One pathological answer therefore costs at most its own limits and never
stalls the others. POSIX only (fork, setrlimit); the project runs on Linux.
"""

from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any


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


def _child(func: Callable, args: tuple, limits: Limits, write_fd: int) -> None:
    """In the forked child: apply the limits, run, send (kind, payload), exit."""
    try:
        soft = max(1, int(limits.cpu_seconds + 0.999))
        resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 1))
        current = _address_space()
        if current is not None:
            cap = current + limits.memory_bytes
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

        def on_xcpu(signum, frame):
            raise _CpuLimit()

        signal.signal(signal.SIGXCPU, on_xcpu)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
        result = ("ok", func(*args))
    except _CpuLimit:
        result = ("limit", f"CPU-time limit ({limits.cpu_seconds:g} s) reached")
    except MemoryError:
        result = ("limit", f"memory limit ({limits.memory_bytes >> 20} MiB) reached")
    except RecursionError:
        result = ("limit", "recursion limit reached")
    except BaseException as exc:  # report anything else; never let the child continue
        result = ("error", f"{type(exc).__name__}: {str(exc)[:200]}")
    try:
        data = pickle.dumps(result)
    except Exception as exc:
        data = pickle.dumps(("error", f"result could not be sent: {type(exc).__name__}"))
    try:
        view = memoryview(data)
        while view:
            written = os.write(write_fd, view)
            view = view[written:]
    finally:
        os._exit(0)


@dataclass
class _Running:
    task_id: Any
    pid: int
    fd: int
    deadline: float
    chunks: list


def _start(task_id, func, args, limits: Limits) -> _Running:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_fd)
        _child(func, args, limits, write_fd)
    os.close(write_fd)
    return _Running(task_id, pid, read_fd, time.monotonic() + limits.wall, [])


def _finish(job: _Running, killed: bool) -> Finished | Stopped:
    os.close(job.fd)
    _, status = os.waitpid(job.pid, 0)
    if killed:
        return Stopped("wall-clock limit reached; the worker was killed")
    data = b"".join(job.chunks)
    if not data:
        if os.WIFSIGNALED(status):
            name = signal.Signals(os.WTERMSIG(status)).name
            return Stopped(f"the worker was killed by {name} (CPU-time or memory limit)")
        return Stopped("the worker exited without a result")
    try:
        kind, payload = pickle.loads(data)  # our own child's bytes, never the student's
    except Exception:
        return Stopped("the worker's result was unreadable")
    if kind == "ok":
        return Finished(payload)
    return Stopped(payload)


def run_limited(
    func: Callable, tasks: Iterable[tuple[Any, tuple]], jobs: int = 1, limits: Limits | None = None
) -> Iterator[tuple[Any, Finished | Stopped]]:
    """Run func(*args) for each (task_id, args), at most `jobs` at once, each in its
    own limited child; yield (task_id, outcome) as they complete."""
    limits = limits or Limits()
    pending = deque(tasks)
    running: dict[int, _Running] = {}
    try:
        while pending or running:
            while pending and len(running) < max(1, jobs):
                task_id, args = pending.popleft()
                job = _start(task_id, func, args, limits)
                running[job.fd] = job
            now = time.monotonic()
            timeout = max(0.0, min(job.deadline for job in running.values()) - now)
            ready, _, _ = select.select(list(running), [], [], timeout)
            for fd in ready:
                job = running[fd]
                chunk = os.read(fd, 1 << 16)
                if chunk:
                    job.chunks.append(chunk)
                    continue
                del running[fd]
                yield job.task_id, _finish(job, killed=False)
            now = time.monotonic()
            for fd, job in list(running.items()):
                if now >= job.deadline:
                    os.kill(job.pid, signal.SIGKILL)
                    del running[fd]
                    yield job.task_id, _finish(job, killed=True)
    finally:
        for job in running.values():  # interrupted: leave no child behind
            try:
                os.kill(job.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.close(job.fd)
            os.waitpid(job.pid, 0)


def run_one(func: Callable, args: tuple, limits: Limits | None = None) -> Finished | Stopped:
    """func(*args) in one limited child."""
    for _, outcome in run_limited(func, [(0, args)], jobs=1, limits=limits):
        return outcome
    raise AssertionError("no outcome")
