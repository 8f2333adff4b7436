"""Slow clients cannot take the server down: a real ``serve`` with a low open-files limit.

Hundreds of sockets from one address trickle header bytes (the slow-loris
attack); normal clients from another address keep getting their 204s, and the
trickling sockets are closed by the header deadline or the per-peer cap.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

from tests.conftest import EXAMPLES
from tests.integration.test_serve_process import free_port, post, rum_server, wait_healthy

OPEN_FILES = 512
SLOW_SOCKETS = 700
ATTACKER = "127.0.0.2"  # all of 127/8 is loopback: a second client address


def low_open_files_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))


def trickle(port: int, stop: threading.Event, closed_by_server: list[int]) -> None:
    """Keep SLOW_SOCKETS connections sending one header byte per second, reopening closed ones."""
    sockets: list[socket.socket] = []
    while not stop.is_set():
        while len(sockets) < SLOW_SOCKETS and not stop.is_set():
            sock = socket.socket()
            sock.settimeout(2)
            try:
                sock.bind((ATTACKER, 0))
                sock.connect(("127.0.0.1", port))
                sock.send(b"POST /__deco/rum HTTP/1.1\r\nHost: x\r\n")
            except OSError:
                sock.close()
                break
            sockets.append(sock)
        alive = []
        for sock in sockets:
            try:
                sock.send(b"X")
                alive.append(sock)
            except OSError:
                closed_by_server[0] += 1
                sock.close()
        sockets = alive
        stop.wait(1.0)
    for sock in sockets:
        sock.close()


def test_normal_clients_are_served_while_slow_clients_trickle_headers(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "RUM_HEADER_TIMEOUT_SECONDS": "3",
        "RUM_MAX_CONNECTIONS_PER_PEER": "100",
    }
    process = subprocess.Popen(
        rum_server("serve", "--port", str(port), "--dsn", f"chdb://{tmp_path / 'data'}"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=low_open_files_limit,
    )
    stop = threading.Event()
    closed_by_server = [0]
    attacker = threading.Thread(target=trickle, args=(port, stop, closed_by_server))
    try:
        wait_healthy(base, process)
        attacker.start()
        time.sleep(2)  # the attack is in full swing
        answers = []
        deadline = time.monotonic() + 8  # past the header deadline: sockets get recycled
        while time.monotonic() < deadline:
            answers.append(post(base + "/__deco/rum", EXAMPLES[0].read_bytes()))
            time.sleep(0.2)
        with urllib.request.urlopen(base + "/__deco/rum/metrics", timeout=5) as answer:
            metrics = answer.read().decode()
        open_now = float(metrics.split("\nrum_open_connections ", 1)[1].split("\n", 1)[0])
        assert 50 <= open_now <= 100 + 5  # the attacker's per-address cap, plus ourselves
        assert process.poll() is None
    finally:
        stop.set()
        with contextlib.suppress(RuntimeError):
            attacker.join(timeout=30)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    assert answers and set(answers) == {204}, answers
    assert closed_by_server[0] > 0  # the caps and deadlines closed the attacker's sockets
    assert b"Too many open files" not in stderr


def test_a_stalled_body_gets_408_and_an_aborted_upload_logs_no_traceback(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "RUM_BODY_TIMEOUT_SECONDS": "1"}
    process = subprocess.Popen(
        rum_server("serve", "--port", str(port), "--dsn", f"chdb://{tmp_path / 'data'}"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    head = (
        b"POST /__deco/rum HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b'Content-Type: text/plain\r\nContent-Length: 100\r\n\r\n{"v": 1'
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as stalled:
            stalled.sendall(head)  # …and the other 93 bytes never come
            assert stalled.recv(100).startswith(b"HTTP/1.1 408")
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as aborted:
                aborted.sendall(head)  # then the visitor closes the tab
        time.sleep(1)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    assert b"Traceback" not in stderr and b"ERROR" not in stderr, stderr.decode()
