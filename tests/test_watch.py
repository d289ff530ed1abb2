"""``--watch``: one reload per burst of edits, after a quiet period, driven step by step.

The watcher takes its scan and clock as arguments, so these tests move a fake clock and edit a
dictionary of fake file states: no sleeping, no timing luck.  Two tests touch real files: the
scan itself, and the watcher wired to a real :class:`Reloader` (a reload made for another
reason — an upload — takes the watcher's baseline, so the same change is not reloaded twice).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest
from tests_paths import INTENTS, SECOND_PAGE, SEEDS

from bot.admin.audit import Auditor
from bot.admin.pages import check_upload, write_page
from bot.admin.reload import Reloader
from bot.service import NewsService
from bot.watch import Snapshot, Watcher, scan_directories


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Files:
    """Fake file states: path → (mtime_ns, size, inode)."""

    def __init__(self) -> None:
        self.state: dict[str, tuple[int, int, int]] = {"seeds/a.txt": (1, 10, 1)}
        self.scans = 0

    def scan(self) -> Snapshot:
        self.scans += 1
        return dict(self.state)

    def touch(self, path: str) -> None:
        mtime, size, inode = self.state.get(path, (0, 0, len(self.state) + 1))
        self.state[path] = (mtime + 1, size + 1, inode)


class Reloads:
    def __init__(self) -> None:
        self.count = 0

    async def __call__(self) -> None:
        self.count += 1


def make(debounce: float = 1.0) -> tuple[Watcher, Files, Clock, Reloads]:
    files, clock, reloads = Files(), Clock(), Reloads()
    watcher = Watcher(files.scan, reloads, debounce=debounce, clock=clock)
    return watcher, files, clock, reloads


async def step(watcher: Watcher, clock: Clock, seconds: float) -> bool:
    clock.now += seconds
    return await watcher.poll()


async def test_a_burst_of_edits_gives_one_reload_after_the_quiet_period() -> None:
    watcher, files, clock, reloads = make()
    assert not await watcher.poll()  # the first scan is the baseline
    assert not await step(watcher, clock, 5)  # nothing changed
    files.touch("seeds/a.txt")
    assert not await step(watcher, clock, 0.25)
    assert watcher.pending
    for path in ("seeds/a.yaml", "seeds/a.txt", "intents/x.yaml"):  # the burst goes on
        files.touch(path)
        assert not await step(watcher, clock, 0.5)
    assert not await step(watcher, clock, 0.75)  # 0.75 s quiet: not yet
    assert await step(watcher, clock, 0.25)  # 1.0 s quiet: reload
    assert reloads.count == 1 and not watcher.pending
    for _ in range(10):
        assert not await step(watcher, clock, 1)
    assert reloads.count == 1
    files.touch("seeds/a.txt")  # a later, separate edit
    assert not await step(watcher, clock, 0.1)
    assert await step(watcher, clock, 1.0)
    assert reloads.count == 2 == watcher.reloads


async def test_an_edit_undone_within_the_quiet_period_reloads_nothing() -> None:
    watcher, files, clock, reloads = make()
    await watcher.poll()
    before = dict(files.state)
    files.touch("seeds/a.txt")
    await step(watcher, clock, 0.2)
    files.state = before
    await step(watcher, clock, 0.2)
    assert watcher.pending
    assert not await step(watcher, clock, 2)
    assert reloads.count == 0 and not watcher.pending


async def test_resync_takes_a_change_as_already_loaded() -> None:
    watcher, files, clock, reloads = make()
    await watcher.poll()
    files.touch("seeds/new.txt")
    await step(watcher, clock, 0.2)
    await watcher.resync()  # what the reloader does right before building
    assert not watcher.pending
    assert not await step(watcher, clock, 5)
    assert reloads.count == 0


async def test_a_failing_reload_does_not_stop_the_watcher(
    caplog: pytest.LogCaptureFixture,
) -> None:
    files, clock = Files(), Clock()
    calls = 0

    async def broken() -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("boom")

    watcher = Watcher(files.scan, broken, debounce=0.5, clock=clock)
    await watcher.poll()
    for _ in range(2):
        files.touch("seeds/a.txt")
        await step(watcher, clock, 0.1)
        assert await step(watcher, clock, 0.5)
    assert calls == 2
    assert "reload after a file change failed" in caplog.text


async def test_run_polls_at_the_interval_until_cancelled() -> None:
    files, clock, reloads = Files(), Clock(), Reloads()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds
        if len(slept) == 3:
            files.touch("seeds/a.txt")
        if len(slept) == 20:
            raise asyncio.CancelledError

    watcher = Watcher(files.scan, reloads, debounce=1.0, interval=0.25, clock=clock, sleep=sleep)
    with pytest.raises(asyncio.CancelledError):
        await watcher.run()
    assert set(slept) == {0.25} and files.scans == 20
    assert reloads.count == 1


def test_watcher_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="interval"):
        Watcher(Files().scan, Reloads(), interval=0)


def test_scan_sees_pages_sidecars_and_rules_but_not_hidden_or_other_files(
    tmp_path: Path,
) -> None:
    seeds, intents = tmp_path / "seeds", tmp_path / "intents"
    seeds.mkdir()
    intents.mkdir()
    for name in ("a.txt", "b.md", "a.yaml", ".a.txt.swp", ".x.txt.tmp", "notes.doc", "a.txt~"):
        (seeds / name).write_text("x", encoding="utf-8")
    (seeds / ".trash").mkdir()
    (seeds / ".trash" / "old.txt").write_text("x", encoding="utf-8")
    (intents / "intents.yaml").write_text("x", encoding="utf-8")
    scan = scan_directories([seeds, intents, tmp_path / "missing"])
    first = scan()
    assert sorted(Path(p).name for p in first) == ["a.txt", "a.yaml", "b.md", "intents.yaml"]

    # An atomic replace with the same size and mtime is still a change (new inode).
    page = seeds / "a.txt"
    stat = page.stat()
    replacement = seeds / ".a.txt.new"
    replacement.write_text("y", encoding="utf-8")
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(replacement, page)
    assert scan() != first
    assert scan() == scan()


async def test_a_reload_for_an_upload_is_not_repeated_by_the_watcher(
    tmp_path: Path, cache_dir: Path
) -> None:
    seeds, intents = tmp_path / "seeds", tmp_path / "intents"
    shutil.copytree(SEEDS, seeds)
    shutil.copytree(INTENTS, intents)
    service = NewsService(seeds, intents, cache_dir)
    service.load()
    reloader = Reloader(service, Auditor(None))
    clock = Clock()

    async def on_change() -> None:
        await reloader.reload(user_id=0, source="watch")

    watcher = Watcher(scan_directories([seeds, intents]), on_change, debounce=1.0, clock=clock)
    reloader.add_before(watcher.resync)
    await watcher.resync()

    # An upload: check, write, reload — all under the reload lock.
    page = SECOND_PAGE / "001_second_page.txt"
    async with reloader.exclusive() as session:
        checked = check_upload(seeds, page.name, page.read_bytes())
        write_page(seeds, checked)
        outcome = await session.reload(user_id=1, source="upload")
    assert outcome.diff is not None and len(outcome.diff.added) == 5
    for _ in range(5):
        assert not await step(watcher, clock, 1.0)
    assert watcher.reloads == 0

    # An edit made behind the bot's back is picked up.
    shutil.copy(SECOND_PAGE / "001_second_page.yaml", seeds / "001_second_page.yaml")
    assert not await step(watcher, clock, 0.25)
    assert await step(watcher, clock, 1.0)
    assert watcher.reloads == 1
