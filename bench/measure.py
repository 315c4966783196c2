"""Measuring instruments: a stage stopwatch (wall and CPU time) and a peak-memory sampler.

CPU time is that of the whole process tree (this process, its finished children and
the live ones): on a shared machine it varies much less between runs than wall time,
so it tells whether a change of code made the work smaller.

Peak memory is sampled, not read from ``ru_maxrss``, because the parse stage
runs in worker processes: the sampler adds up the resident set of this process
and every descendant every ``interval`` seconds. RSS counts pages a forked
worker shares with its parent twice, so the figure errs on the high side; the
proportional set size (PSS, shared pages split between sharers) is sampled too,
but only every ``pss_interval`` seconds, so its peak errs on the low side.

The sampler must not take the time it measures. RSS is cheap to read (``statm``:
0.02 ms a process). PSS is not: the kernel walks the page tables of the process
(``smaps_rollup``: about 30 ms for a 1.5 GB process). Read every 0.2 s, as it once
was, it kept a fifth of a core busy through a 100,000-report build, on a machine
whose two cores the build keeps busy: every figure of the benchmark carried it.
Listing the descendants means reading every process of the machine (about 0.9 ms),
so the list is refreshed every ``children_interval`` seconds, not at every sample.

Garbage collection is timed too (``COLLECTIONS``): the seconds this process spends in
Python's cyclic collector, which holds the GIL while it visits every tracked object.
"""

from __future__ import annotations

import gc
import resource
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import psutil

MB = 1024 * 1024


def _tree_memory(processes: list[psutil.Process], with_pss: bool) -> tuple[int, int]:
    rss = pss = 0
    for p in processes:
        try:
            if with_pss:
                info = p.memory_full_info()
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
            else:
                rss += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return rss, pss


def own_cpu_seconds() -> float:
    """User + system CPU seconds of this process alone (all its threads)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def tree_cpu_seconds() -> float:
    """User + system CPU seconds of this process, its reaped children and its live descendants."""
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = own_cpu_seconds() + reaped.ru_utime + reaped.ru_stime
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue  # ended meanwhile: counted with the reaped ones once waited for
        seconds += times.user + times.system
    return seconds


@dataclass
class MemoryPeaks:
    """Peak memory of one phase (a build, the queries), in bytes."""

    rss: int
    pss: int
    stages: dict[str, int]

    def figures(self) -> dict:
        return {"peak_rss_mb": round(self.rss / MB, 1), "peak_pss_mb": round(self.pss / MB, 1),
                "stage_peak_rss_mb": {k: round(v / MB, 1) for k, v in self.stages.items()}}


class PeakMemory:
    """Samples RSS (and PSS) of this process tree in a background thread."""

    def __init__(self, interval: float = 0.05, pss_interval: float = 2.0, children_interval: float = 1.0):
        self.interval = interval
        self.pss_every = max(1, round(pss_interval / interval))  # ticks between two PSS samples
        self.children_interval = children_interval
        self._tree: list[psutil.Process] = []
        self._tree_listed = float("-inf")
        self.peak_rss = 0
        self.peak_pss = 0
        self.stage_peaks: dict[str, int] = {}
        self._stage: str | None = None
        self._paused = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-memory", daemon=True)
        self._proc = psutil.Process()

    def _run(self) -> None:
        tick = 0
        while not self._stop.is_set():
            self.sample(with_pss=tick % self.pss_every == 0)
            tick += 1
            self._stop.wait(self.interval)

    def sample(self, with_pss: bool = False) -> None:
        if self._paused:
            return
        rss, pss = _tree_memory(self._processes(fresh=with_pss), with_pss)
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_pss = max(self.peak_pss, pss)
        if self._stage is not None:
            self.stage_peaks[self._stage] = max(self.stage_peaks.get(self._stage, 0), rss)

    def _processes(self, fresh: bool) -> list[psutil.Process]:
        """This process and its descendants, as listed at most ``children_interval`` seconds
        ago (or now, if ``fresh``)."""
        now = time.monotonic()
        if fresh or now - self._tree_listed >= self.children_interval:
            self._tree = [self._proc, *self._proc.children(recursive=True)]
            self._tree_listed = now
        return self._tree

    def stage(self, name: str | None) -> None:
        self._stage = name

    def take(self) -> "MemoryPeaks":
        """The peaks since the last ``take`` (or the start), then start afresh: one phase's figures."""
        self.sample(with_pss=True)
        peaks = MemoryPeaks(self.peak_rss, self.peak_pss, dict(self.stage_peaks))
        self.peak_rss = self.peak_pss = 0
        self.stage_peaks = {}
        return peaks

    def pause(self) -> None:
        """Stop recording (the benchmark's own bookkeeping is not the pipeline's memory)."""
        self._paused = True

    def resume(self) -> None:
        self._paused = False

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample(with_pss=True)


class CollectionClock:
    """Seconds this process has spent in Python's cyclic garbage collector (any thread's
    collections: each holds the GIL), and how many full collections it ran."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full_collections = 0
        self._started: float | None = None
        gc.callbacks.append(self._tick)

    def _tick(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            self.seconds += time.perf_counter() - self._started
            self.full_collections += info["generation"] == 2
            self._started = None

    def reading(self) -> tuple[float, int]:
        return self.seconds, self.full_collections


#: The clock of this process, running from the import of this module.
COLLECTIONS = CollectionClock()


@dataclass
class Stopwatch:
    """Wall time and CPU time per named stage, in the order the stages ran: of the whole
    process tree (``cpu_seconds``) and of this process alone (``own_cpu_seconds``; the rest
    is the worker processes'), and this process's garbage collection per stage
    (``gc_seconds``, ``full_collections``)."""

    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    own_cpu_seconds: dict[str, float] = field(default_factory=dict)
    gc_seconds: dict[str, float] = field(default_factory=dict)
    full_collections: dict[str, int] = field(default_factory=dict)
    memory: PeakMemory | None = None
    echo: bool = True

    @contextmanager
    def stage(self, name: str):
        if self.memory is not None:
            self.memory.stage(name)
            self.memory.sample()
        if self.echo:
            print(f"  {name} ...", end="", flush=True)
        started, cpu_started, own_started = time.perf_counter(), tree_cpu_seconds(), own_cpu_seconds()
        gc_started, full_started = COLLECTIONS.reading()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            self.seconds[name] = self.seconds.get(name, 0.0) + elapsed
            # this process's clock read inside the tree's two readings: its share never exceeds the tree's
            self.own_cpu_seconds[name] = self.own_cpu_seconds.get(name, 0.0) + own_cpu_seconds() - own_started
            self.cpu_seconds[name] = self.cpu_seconds.get(name, 0.0) + tree_cpu_seconds() - cpu_started
            gc_now, full_now = COLLECTIONS.reading()
            self.gc_seconds[name] = self.gc_seconds.get(name, 0.0) + gc_now - gc_started
            self.full_collections[name] = self.full_collections.get(name, 0) + full_now - full_started
            if self.memory is not None:
                self.memory.sample()
                self.memory.stage(None)
            if self.echo:
                print(f" {elapsed:.2f} s", flush=True)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds
