"""``rum-server serve --workers N``: N worker processes on one listening socket.

Ingest is CPU-bound Python (decode, redact, enrich), so one process uses about one
core; with a ClickHouse server behind it, N processes use N. The parent binds the
socket and applies the schema once (both fail as one clear line before anything
starts), then supervises: each worker is a spawned process running uvicorn on the
inherited socket with its own store client, writer and settler; a worker that
dies is started again in its slot; SIGTERM or SIGINT stops every worker gracefully
(each flushes its queue, or spools it).

Each slot has its own spool directory (``<spool>/worker-<slot>``), so a restarted
worker replays exactly the rows its slot saved and never another worker's. Spool
files of an earlier run with one worker, or with more workers than now, are
moved to slot 0 before the workers start, so nothing saved is forgotten.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import os
import signal
import socket
import time
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType

from rum_server.settings import Settings
from rum_server.storage.wal import LEGACY_SPOOL_SUFFIX, SUFFIX

log = logging.getLogger("rum_server.cli.workers")

STOP_SECONDS = 40.0
"""How long a worker gets to flush after SIGTERM before it is killed."""
RESTART_PAUSE_SECONDS = 1.0
"""A worker that dies at once is not restarted in a tight loop."""


def slot_spool(settings: Settings, slot: int) -> Path:
    return settings.spool_path / f"worker-{slot}"


def adopt_orphan_spools(settings: Settings) -> int:
    """Move spool files no slot of this run would replay into slot 0; returns how many."""
    base = settings.spool_path
    if not base.is_dir():
        return 0
    patterns = ("*" + SUFFIX, "*" + LEGACY_SPOOL_SUFFIX)  # segments, and older spool files
    orphans = [path for pattern in patterns for path in base.glob(pattern)]
    for directory in base.glob("worker-*"):
        slot = directory.name.removeprefix("worker-")
        if not slot.isdigit() or int(slot) >= settings.workers:
            orphans += [path for pattern in patterns for path in directory.glob(pattern)]
    if orphans:
        target = slot_spool(settings, 0)
        target.mkdir(parents=True, exist_ok=True)
        for path in orphans:
            path.replace(target / path.name)
    return len(orphans)


def worker_main(settings: Settings, sock: socket.socket, slot: int, log_level: str) -> None:
    """One worker: the whole app on the shared socket, with its slot's spool."""
    import uvicorn

    from rum_server.app import create_app
    from rum_server.ingest.connections import apply_connection_guards

    os.setpgrp()  # a terminal's Ctrl-C reaches the supervisor only; it sends one SIGTERM
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("clickhouse_connect").setLevel(logging.CRITICAL)
    mine = dataclasses.replace(settings, spool_dir=str(slot_spool(settings, slot)), workers=1)
    config = uvicorn.Config(
        create_app(mine),
        log_level=log_level,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
    )
    apply_connection_guards(config, mine)
    uvicorn.Server(config).run(sockets=[sock])


class Supervisor:
    """Starts N workers, restarts those that die, stops them all on a signal."""

    def __init__(self, settings: Settings, sock: socket.socket, log_level: str) -> None:
        self._settings = settings
        self._sock = sock
        self._log_level = log_level
        self._context = multiprocessing.get_context("spawn")
        self._workers: dict[int, BaseProcess] = {}
        self._stopping = False

    def start(self, slot: int) -> None:
        process = self._context.Process(
            target=worker_main,
            args=(self._settings, self._sock, slot, self._log_level),
            name=f"rum-worker-{slot}",
        )
        process.start()
        self._workers[slot] = process

    def stop(self, signum: int, frame: FrameType | None = None) -> None:
        self._stopping = True

    def run(self) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self.stop)
        for slot in range(self._settings.workers):
            self.start(slot)
        while not self._stopping:
            time.sleep(RESTART_PAUSE_SECONDS)
            for slot, process in list(self._workers.items()):
                if not process.is_alive() and not self._stopping:
                    log.warning(
                        "worker %d exited with %s; starting it again", slot, process.exitcode
                    )
                    self.start(slot)
        return self.shutdown()

    def shutdown(self) -> int:
        """SIGTERM every worker (each flushes or spools its rows), then wait for them."""
        for process in self._workers.values():
            if process.is_alive() and process.pid is not None:
                process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        failed = 0
        for slot, process in self._workers.items():
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                log.error("worker %d did not stop in %.0f s; killing it", slot, STOP_SECONDS)
                process.kill()
                process.join()
                failed += 1
        return 1 if failed else 0


def run_workers(settings: Settings, sock: socket.socket, log_level: str) -> int:
    """Serve with ``settings.workers`` processes until SIGTERM or SIGINT; returns the exit code."""
    moved = adopt_orphan_spools(settings)
    if moved:
        log.warning("moved %d spool files of an earlier run to worker 0, which replays them", moved)
    try:
        return Supervisor(settings, sock, log_level).run()
    finally:
        sock.close()
