"""Child processes and temporary directories that never outlive the benchmark.

Every server is started through :class:`Children`; on any exit (normal, error,
Ctrl-C, SIGTERM) each child is stopped by its own pid and every temporary
directory is removed. A child that dies or does not answer has its stderr shown.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil


class BenchError(RuntimeError):
    """A step failed; the message is what the user needs (with the child's stderr)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Child:
    """One server process, its stderr kept in a file so a failure can show it."""

    def __init__(
        self, name: str, command: list[str], cwd: Path, env: dict[str, str], stream: bool = False
    ) -> None:
        self.name = name
        self.command = command
        self.log_path = cwd / f"{name.replace('/', '_')}.stderr"
        self._log = self.log_path.open("wb")
        output = None if stream else self._log  # streamed: the user sees it as it comes
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            start_new_session=True,
        )
        self.ps = psutil.Process(self.process.pid)

    def stderr_tail(self, lines: int = 30) -> str:
        self._log.flush()
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(f"    | {line}" for line in text[-lines:]) or "    | (see above)"

    def cpu_seconds(self) -> float:
        """User + system CPU of the child and its own children (granian workers)."""
        total = 0.0
        for proc in [self.ps, *self.ps.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                total += times.user + times.system
        return total

    def rss_bytes(self) -> int:
        total = 0
        for proc in [self.ps, *self.ps.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
        return total

    def wait_http(self, url: str, body: bytes | None = None, seconds: float = 90) -> None:
        """Wait until ``url`` answers (any status < 500), or fail with the child's stderr."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(
                    f"{self.name} exited with status {self.process.returncode} before "
                    f"answering:\n  {' '.join(self.command)}\n{self.stderr_tail()}"
                )
            try:
                request = urllib.request.Request(
                    url, data=body, headers={"content-type": "text/plain"}
                )
                with urllib.request.urlopen(request, timeout=2):
                    return
            except urllib.error.HTTPError as exc:
                if exc.code < 500:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise BenchError(
            f"{self.name} did not answer {url} within {seconds:.0f} s:\n"
            f"  {' '.join(self.command)}\n{self.stderr_tail()}"
        )

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM (the server flushes its queue), then SIGKILL after ``timeout``."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


class Children:
    """Owns every child and temp dir of a run; ``close`` is idempotent and always runs."""

    def __init__(self) -> None:
        self._children: list[Child] = []
        self._dirs: list[Path] = []

    def temp_dir(self, prefix: str = "rum-bench-") -> Path:
        path = Path(tempfile.mkdtemp(prefix=prefix))
        self._dirs.append(path)
        return path

    def start(
        self, name: str, command: list[str], cwd: Path, env: dict[str, str], stream: bool = False
    ) -> Child:
        child = Child(name, command, cwd, env, stream)
        self._children.append(child)
        return child

    def stop(self, child: Child) -> None:
        child.stop()
        if child in self._children:
            self._children.remove(child)

    def close(self) -> None:
        while self._children:
            self._children.pop().stop(timeout=20)
        while self._dirs:
            shutil.rmtree(self._dirs.pop(), ignore_errors=True)


@contextlib.contextmanager
def supervised() -> Iterator[Children]:
    """Children that are cleaned up on return, exception, Ctrl-C or SIGTERM."""
    children = Children()

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield children
    finally:
        children.close()
        signal.signal(signal.SIGTERM, previous)


def progress(message: str) -> None:
    """One line of progress on stderr, with the wall clock."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


REPO = Path(__file__).resolve().parent.parent


def child_env(**extra: str) -> dict[str, str]:
    """This environment with the repository first on PYTHONPATH (children import bench/)."""
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")]))
    return {**os.environ, "PYTHONPATH": path, **extra}


def serve_command(dsn: str, port: int) -> list[str]:
    """``rum-server serve`` on ``dsn`` and 127.0.0.1:``port``, quiet."""
    return [sys.executable, "-m", "rum_server.cli.main", "serve", "--log-level", "warning",
            "--dsn", dsn, "--port", str(port)]  # fmt: skip
