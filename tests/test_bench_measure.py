"""The benchmark's instruments: per-phase peak memory and the stage stopwatch."""

import gc
import subprocess
import sys
import time

from bench.measure import PeakMemory, Stopwatch

#: A child process that keeps one core busy for about 0.4 s.
BUSY_CHILD = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass"


def test_take_gives_one_phase_and_starts_afresh():
    memory = PeakMemory()
    watch = Stopwatch(memory=memory, echo=False)
    with watch.stage("read"):
        pass
    first = memory.take()
    assert first.rss > 0 and first.pss > 0
    assert set(first.stages) == {"read"}
    assert memory.peak_rss == 0 and memory.stage_peaks == {}  # the next phase starts from nothing
    with watch.stage("publish"):
        pass
    second = memory.take()
    assert set(second.stages) == {"publish"}
    figures = second.figures()
    assert figures["peak_rss_mb"] > 0 and set(figures["stage_peak_rss_mb"]) == {"publish"}


def test_paused_memory_is_not_recorded():
    memory = PeakMemory()
    memory.pause()
    memory.sample()
    assert memory.peak_rss == 0
    memory.resume()
    memory.sample()
    assert memory.peak_rss > 0


def test_cpu_time_counts_child_processes_and_not_waiting():
    watch = Stopwatch(echo=False)
    with watch.stage("parse"):
        subprocess.run([sys.executable, "-c", BUSY_CHILD], check=True)
    with watch.stage("publish"):
        time.sleep(0.4)
    assert watch.cpu_seconds["parse"] >= 0.35  # the child's time, and its interpreter's start
    assert watch.own_cpu_seconds["parse"] < 0.2  # this process only waited for it
    assert watch.cpu_seconds["publish"] < 0.2  # asleep: wall time, no CPU time
    assert watch.seconds["publish"] >= 0.4


def test_own_cpu_time_is_this_process_busy():
    watch = Stopwatch(echo=False)
    with watch.stage("build_tables"):
        deadline = time.process_time() + 0.3
        while time.process_time() < deadline:
            pass
    assert 0.3 <= watch.own_cpu_seconds["build_tables"] <= watch.cpu_seconds["build_tables"]


def test_pss_is_sampled_less_often_than_rss():
    """Reading PSS makes the kernel walk the page tables: it must not keep a core busy."""
    memory = PeakMemory(interval=0.05, pss_interval=2.0)
    assert memory.pss_every == 40
    assert PeakMemory(interval=0.5, pss_interval=0.1).pss_every == 1


def test_garbage_collection_is_timed_per_stage():
    watch = Stopwatch(echo=False)
    with watch.stage("findings"):
        for _ in range(3):
            gc.collect()
    with watch.stage("validate"):
        pass
    assert watch.full_collections == {"findings": 3, "validate": 0}
    assert watch.gc_seconds["findings"] > 0 and watch.gc_seconds["validate"] == 0
