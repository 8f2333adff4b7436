"""Spool slots of ``serve --workers``: every saved file is replayed by exactly one worker."""

from __future__ import annotations

from pathlib import Path

from rum_server.cli.workers import adopt_orphan_spools, slot_spool
from rum_server.settings import Settings


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def test_files_no_slot_would_replay_move_to_slot_zero(tmp_path: Path) -> None:
    settings = Settings(dsn="clickhouse://h:8123/", spool_dir=str(tmp_path), workers=2)
    touch(tmp_path / "1-10.rows.msgpack")  # an earlier single-worker run
    touch(tmp_path / "worker-5" / "2-11.rows.msgpack")  # an earlier run with more workers
    kept = touch(tmp_path / "worker-1" / "3-12.rows.msgpack")  # slot 1 replays its own
    assert adopt_orphan_spools(settings) == 2
    assert sorted(p.name for p in slot_spool(settings, 0).iterdir()) == [
        "1-10.rows.msgpack",
        "2-11.rows.msgpack",
    ]
    assert kept.exists()
    assert adopt_orphan_spools(settings) == 0


def test_no_spool_directory_is_nothing_to_do(tmp_path: Path) -> None:
    settings = Settings(dsn="clickhouse://h:8123/", spool_dir=str(tmp_path / "none"), workers=3)
    assert adopt_orphan_spools(settings) == 0
