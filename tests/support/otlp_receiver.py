"""An OTLP/HTTP logs receiver for tests: decodes what it gets, answers as told.

It checks what a Collector's receiver would (path, content type, gzip, a
parseable ``ExportLogsServiceRequest``) and keeps each decoded request with its
headers. ``answers`` queues the statuses of the next responses (then 200).
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
)


@dataclass
class Received:
    requests: list[ExportLogsServiceRequest] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    refusals: int = 0
    url: str = ""

    def records(self) -> Iterator[tuple[Any, Any, Any]]:
        """(resource_logs, scope_logs, log_record) for every record received."""
        for request in self.requests:
            for resource_logs in request.resource_logs:
                for scope_logs in resource_logs.scope_logs:
                    for record in scope_logs.log_records:
                        yield resource_logs, scope_logs, record


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_POST(self) -> None:
        received = self.server.received
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            status = received.answers.pop(0) if received.answers else 200
        if status != 200:
            received.refusals += 1
            self.send_response(status)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        assert self.path == "/v1/logs", self.path
        assert self.headers["Content-Type"] == "application/x-protobuf"
        assert self.headers["Content-Encoding"] == "gzip"
        request = ExportLogsServiceRequest()
        request.ParseFromString(gzip.decompress(body))
        with self.server.lock:
            received.requests.append(request)
            received.headers.append({k.lower(): v for k, v in self.headers.items()})
        answer = ExportLogsServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received = Received()
        self.lock = threading.Lock()


@contextmanager
def otlp_receiver() -> Iterator[Received]:
    """A receiver on a free 127.0.0.1 port for the ``with`` block; ``.url`` is its base URL."""
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    server.received.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield server.received
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
