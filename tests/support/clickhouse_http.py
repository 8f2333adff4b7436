"""ClickHouse's HTTP interface served from the embedded engine: a test fixture, not a product.

No ClickHouse server package exists on the test machines, so the ``clickhouse://``
path is exercised against this: a small HTTP server whose every statement runs on
the real engine (chdb, the same ClickHouse build as production) in one data
directory. It speaks the part of the protocol the real ``clickhouse-connect``
``HttpClient`` uses:

- the statement in the ``query`` parameter, in the body, or both (an ``INSERT …
  FORMAT x`` in the URL with its data in the body, or inline after a newline);
  insert data is handed to ClickHouse's own parser for that format
  (``INSERT … FROM INFILE … FORMAT Native | RowBinary | JSONCompactColumns …``);
- ``database``, ``param_*`` bind parameters, ``query_id``, ``default_format``,
  and every other parameter as a ClickHouse setting for that one request
  (unknown settings fail as on a server);
- ``session_id``: ``SET`` and ``USE`` persist in the session, and a session used
  by two requests at once answers error 373 (SESSION_IS_LOCKED) like a server;
- request bodies compressed with ``Content-Encoding`` (lz4 frame, zstd when
  available, gzip, deflate); responses compressed as ``Accept-Encoding`` asks
  when ``enable_http_compression=1``;
- user and password (basic auth, ``X-ClickHouse-User``/``-Key`` headers, or
  parameters), ``/ping``, and errors as ``Code: N. DB::Exception: …`` with the
  ``X-ClickHouse-Exception-Code`` header.

Statements run one at a time (chdb serialises them anyway); HTTP parsing and
compression happen in the server's threads. Run it as a script; it prints
``port N`` once listening on 127.0.0.1 and exits when its parent does.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import os
import re
import signal
import sys
import tempfile
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import chdb
import lz4.frame

try:  # clickhouse-connect offers zstd only when one of these is importable
    from compression import zstd as _zstd  # type: ignore[import-not-found]
except ImportError:
    try:
        from backports import zstd as _zstd  # type: ignore[import-not-found,no-redef]
    except ImportError:
        _zstd = None

# Parameters that steer the HTTP handler; every other one is a ClickHouse setting.
HTTP_PARAMETERS = {
    "query",
    "database",
    "default_format",
    "session_id",
    "session_timeout",
    "session_check",
    "query_id",
    "user",
    "password",
    "quota_key",
    "compress",
    "decompress",
    "buffer_size",
    "wait_end_of_query",
    "enable_http_compression",
    "http_zlib_compression_level",
    "send_progress_in_http_headers",
    "http_headers_progress_interval_ms",
    "client_protocol_version",
    "cancel_http_readonly_queries_on_client_close",
}
_INSERT_WITH_FORMAT = re.compile(
    rb"^\s*INSERT\s+INTO\s+.+?\bFORMAT\s+([A-Za-z0-9_]+)", re.IGNORECASE | re.DOTALL
)
_TRAILING_FORMAT = re.compile(r"\bFORMAT\s+([A-Za-z0-9_]+)\s*;?\s*$", re.IGNORECASE)
_SET_STATEMENT = re.compile(r"^\s*SET\s+(.+?)\s*;?\s*$", re.IGNORECASE | re.DOTALL)
_USE_STATEMENT = re.compile(r"^\s*USE\s+`?([A-Za-z0-9_]+)`?\s*;?\s*$", re.IGNORECASE)
_SETTING_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ERROR_CODE = re.compile(r"Code: (\d+)\.")


class ClickHouseError(Exception):
    """An error to answer the way a server does: code, text and HTTP status."""

    def __init__(self, code: int, message: str, status: int = 500) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass
class Session:
    """What a ``session_id`` keeps between requests."""

    settings: dict[str, str] = field(default_factory=dict)
    database: str = ""
    busy: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Request:
    """One statement to run, with what surrounds it."""

    sql: str
    data: bytes | None
    params: dict[str, str]
    settings: dict[str, str]
    database: str


class Engine:
    """The one chdb connection; statements run one at a time under a lock."""

    def __init__(self, data_dir: str, config_file: str = "") -> None:
        # A config file (clusters, macros) goes to the engine as clickhouse-local's option.
        self._connection = chdb.connect(
            f"file:{data_dir}?config-file={config_file}" if config_file else data_dir
        )
        self._lock = threading.Lock()
        self._scratch = tempfile.mkdtemp(prefix="clickhouse-http-")
        self.timezone = self._run_raw("SELECT timezone()", "TabSeparated").decode().strip()
        self.statements = 0

    def _run_raw(self, sql: str, fmt: str, params: dict[str, str] | None = None) -> bytes:
        try:
            result = self._connection.query(sql, fmt, params=params or None)
        except Exception as exc:
            text = " ".join(str(exc).split())
            match = _ERROR_CODE.search(text)
            raise ClickHouseError(int(match.group(1)) if match else 1002, text) from None
        return bytes(result.bytes()) if result is not None else b""

    def execute(self, request: Request, session: Session | None) -> tuple[bytes, str]:
        """Run one statement with its settings and database; returns (body, format)."""
        settings = dict(session.settings) if session else {}
        settings.update(request.settings)
        database = request.database or (session.database if session else "")
        with self._lock:
            self.statements += 1
            try:
                for name, value in settings.items():
                    self._run_raw(f"SET {name} = {quote(value)}", "TabSeparated")
                if database:
                    self._run_raw(f"USE `{database}`", "TabSeparated")
                return self._statement(request, session)
            finally:
                for name in settings:
                    self._run_raw(f"SET {name} = DEFAULT", "TabSeparated")
                self._run_raw("USE default", "TabSeparated")

    def _statement(self, request: Request, session: Session | None) -> tuple[bytes, str]:
        sql = request.sql
        if session is not None and remember_in_session(sql, session):
            return b"", "TabSeparated"
        if request.data is not None:
            # The rows go through ClickHouse's own parser for their format, as on a server.
            path = os.path.join(self._scratch, f"{uuid.uuid4().hex}.data")
            with open(path, "wb") as file:
                file.write(request.data)
            try:
                prefix, _, fmt = sql.rpartition(" FORMAT ")
                self._run_raw(f"{prefix} FROM INFILE '{path}' FORMAT {fmt}", "TabSeparated")
            finally:
                os.unlink(path)
            return b"", fmt
        match = _TRAILING_FORMAT.search(sql)
        fmt = match.group(1) if match else request.params.get("default_format", "TabSeparated")
        return self._run_raw(sql, fmt, bind_parameters(request.params)), fmt

    def close(self) -> None:
        with self._lock:
            self._connection.close()


def remember_in_session(sql: str, session: Session) -> bool:
    """``SET a = 1, b = 'x'`` and ``USE db`` inside a session last for the session."""
    use = _USE_STATEMENT.match(sql)
    if use:
        session.database = use.group(1)
        return True
    statement = _SET_STATEMENT.match(sql)
    if not statement:
        return False
    for assignment in statement.group(1).split(","):
        name, _, value = assignment.partition("=")
        session.settings[name.strip()] = value.strip().strip("'")
    return True


def quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def bind_parameters(params: dict[str, str]) -> dict[str, str]:
    return {name[6:]: value for name, value in params.items() if name.startswith("param_")}


def decompress(body: bytes, encoding: str) -> bytes:
    encoding = encoding.strip().lower()
    if not encoding or encoding == "identity":
        return body
    if encoding == "lz4":
        return bytes(lz4.frame.decompress(body))
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "zstd" and _zstd is not None:
        return bytes(_zstd.decompress(body))
    raise ClickHouseError(
        36, f"DB::Exception: Unknown Content-Encoding: {encoding}. (BAD_ARGUMENTS)", 400
    )


def compress(body: bytes, accepted: str) -> tuple[bytes, str]:
    """The first encoding the client accepts that we have, as a server picks one."""
    for encoding in (part.strip().lower() for part in accepted.split(",")):
        if encoding == "lz4":
            return lz4.frame.compress(body), encoding
        if encoding == "gzip":
            return gzip.compress(body), encoding
        if encoding == "deflate":
            return zlib.compress(body), encoding
        if encoding == "zstd" and _zstd is not None:
            return _zstd.compress(body), encoding
    return body, ""


class ClickHouseHttpServer(ThreadingHTTPServer):
    """Holds the engine, the credentials and the sessions for the handler."""

    daemon_threads = True

    def __init__(self, engine: Engine, user: str, password: str) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.engine = engine
        self.user = user
        self.password = password
        self.sessions: dict[str, Session] = {}
        self.sessions_lock = threading.Lock()

    def session(self, session_id: str) -> Session:
        with self.sessions_lock:
            return self.sessions.setdefault(session_id, Session())


class Handler(BaseHTTPRequestHandler):
    server: ClickHouseHttpServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a test run should not print a line per statement."""

    def do_GET(self) -> None:
        self._handle(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = self._read_chunked()
        else:
            body = self.rfile.read(length)
        self._handle(body)

    def _read_chunked(self) -> bytes:
        chunks = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _handle(self, body: bytes) -> None:
        url = urlsplit(self.path)
        if url.path in ("/ping", "/") and not url.query and not body:
            self._answer(200, b"Ok.\n", {"Content-Type": "text/plain; charset=UTF-8"})
            return
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        query_id = params.get("query_id") or str(uuid.uuid4())
        headers = {"X-ClickHouse-Query-Id": query_id, "X-ClickHouse-Timezone": ""}
        session_id = params.get("session_id", "")
        session = self.server.session(session_id) if session_id else None
        try:
            self._authenticate(params)
            request = self._request(params, body)
            if session is not None and not session.busy.acquire(blocking=False):
                raise ClickHouseError(
                    373,
                    f"Code: 373. DB::Exception: Session {session_id} is locked by a concurrent "
                    "client. (SESSION_IS_LOCKED)",
                )
            try:
                started = time.monotonic_ns()
                result, fmt = self.server.engine.execute(request, session)
            finally:
                if session is not None:
                    session.busy.release()
        except ClickHouseError as exc:
            message = str(exc)
            if not message.startswith("Code:"):
                message = f"Code: {exc.code}. {message}"
            headers["X-ClickHouse-Exception-Code"] = str(exc.code)
            self._answer(exc.status, (message + "\n").encode(), headers)
            return
        headers["X-ClickHouse-Timezone"] = self.server.engine.timezone
        headers["X-ClickHouse-Format"] = fmt
        headers["X-ClickHouse-Summary"] = json.dumps(
            {
                "read_rows": "0",
                "written_rows": "0",
                "elapsed_ns": str(time.monotonic_ns() - started),
            }
        )
        headers["Content-Type"] = "text/plain; charset=UTF-8"
        if params.get("enable_http_compression") == "1" and result:
            result, encoding = compress(result, self.headers.get("Accept-Encoding", ""))
            if encoding:
                headers["Content-Encoding"] = encoding
        self._answer(200, result, headers)

    def _authenticate(self, params: dict[str, str]) -> None:
        user = self.headers.get("X-ClickHouse-User") or params.get("user") or "default"
        password = self.headers.get("X-ClickHouse-Key") or params.get("password") or ""
        authorization = self.headers.get("Authorization", "")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            user, _, password = decoded.partition(":")
        if (user, password) != (self.server.user, self.server.password):
            raise ClickHouseError(
                516,
                f"Code: 516. DB::Exception: {user}: Authentication failed: password is "
                "incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)",
                401,
            )

    def _request(self, params: dict[str, str], body: bytes) -> Request:
        body = decompress(body, self.headers.get("Content-Encoding", ""))
        settings = {
            name: value
            for name, value in params.items()
            if name not in HTTP_PARAMETERS and not name.startswith("param_")
        }
        for name in settings:
            if not _SETTING_NAME.match(name):
                raise ClickHouseError(115, f"DB::Exception: Unknown setting '{name}'", 400)
        query = params.get("query")
        data: bytes | None = None
        if query is not None:
            sql = query
            if _INSERT_WITH_FORMAT.match(query.encode()):
                data = body
            elif body:
                sql = query + "\n" + body.decode()
        else:
            insert = _INSERT_WITH_FORMAT.match(body)
            if insert:
                sql = body[: insert.end()].decode()
                data = body[insert.end() :]
                data = data[1:] if data[:1] in (b"\n", b" ") else data
            else:
                sql = body.decode()
        if not sql.strip():
            raise ClickHouseError(62, "DB::Exception: Empty query. (SYNTAX_ERROR)", 400)
        if data is not None:
            sql = " ".join(sql.split())
        return Request(sql, data, params, settings, params.get("database", ""))

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def exit_with_parent(server: ClickHouseHttpServer) -> None:
    """A test that dies must not leave a server behind."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.5)
    server.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("data_dir")
    parser.add_argument("--user", default="default")
    parser.add_argument("--password", default="")
    parser.add_argument("--config-file", default="", help="a ClickHouse config for the engine")
    args = parser.parse_args(argv)
    engine = Engine(os.path.abspath(args.data_dir), args.config_file)
    server = ClickHouseHttpServer(engine, args.user, args.password)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    threading.Thread(target=exit_with_parent, args=(server,), daemon=True).start()
    print(f"port {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
