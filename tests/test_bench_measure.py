"""The benchmark's instruments: per-phase peak memory and the stage stopwatch."""

from bench.measure import PeakMemory, Stopwatch


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
