"""The test fixture's HTTP interface behaves as a ClickHouse server does for clickhouse-connect.

If it did not, the server-path tests would prove nothing: every insert format the
client uses, compression both ways, bind parameters, per-request settings and
sessions are checked here with the real client.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import clickhouse_connect
import pytest

from tests.conftest import ClickHouseServer

TABLE = "fixture_t"
ROWS = [
    [1764446400123456789, {"rum.route": "/p"}, "x", 3],
    [1764446400123456790, {}, "y", 0],
]


@pytest.fixture
def client(clickhouse_server: ClickHouseServer) -> Iterator[Any]:
    client = clickhouse_connect.get_client(
        dsn=clickhouse_server.dsn(), autogenerate_session_id=False
    )
    client.command(
        f"CREATE TABLE {TABLE} (ts DateTime64(9), m Map(LowCardinality(String), String), "
        "s LowCardinality(String), n UInt8) ENGINE = MergeTree ORDER BY ts"
    )
    yield client
    client.close()


def stored(client: Any) -> list[tuple[Any, ...]]:
    rows = client.query(f"SELECT toUnixTimestamp64Nano(ts), m, s, n FROM {TABLE} ORDER BY ts")
    return [tuple(row) for row in rows.result_rows]


@pytest.mark.parametrize("compression", ["lz4", "gzip", None])
def test_native_inserts_round_trip_with_each_compression(
    clickhouse_server: ClickHouseServer, client: Any, compression: str | None
) -> None:
    writer = clickhouse_connect.get_client(
        dsn=clickhouse_server.dsn(), compress=compression or False, autogenerate_session_id=False
    )
    writer.insert(TABLE, ROWS, column_names=["ts", "m", "s", "n"])
    assert stored(writer) == [tuple(row) for row in ROWS]
    writer.close()


@pytest.mark.parametrize(
    ("fmt", "block"),
    [
        ("JSONCompactColumns", b'[["1764446400.5"], [{"k": "v"}], ["z"], [7]]'),
        ("RowBinary", (1764446400500000000).to_bytes(8, "little") + b"\x01\x01k\x01v\x01z\x07"),
        ("TabSeparated", b"1764446400.5\t{'k':'v'}\tz\t7\n"),
    ],
)
def test_raw_inserts_are_parsed_by_the_engine_in_their_format(
    client: Any, fmt: str, block: bytes
) -> None:
    client.raw_insert(TABLE, ["ts", "m", "s", "n"], insert_block=block, fmt=fmt)
    assert stored(client) == [(1764446400500000000, {"k": "v"}, "z", 7)]


def test_bind_parameters_and_per_request_settings(client: Any) -> None:
    client.insert(TABLE, ROWS, column_names=["ts", "m", "s", "n"])
    answer = client.query(f"SELECT count() FROM {TABLE} WHERE s = {{s:String}}", {"s": "x"})
    assert answer.result_rows == [(1,)]
    setting = "SELECT value FROM system.settings WHERE name = 'max_threads'"
    assert client.command(setting, settings={"max_threads": 3}) == 3
    assert client.command(setting) != 3  # a request's setting does not leak into the next
    with pytest.raises(Exception, match="Unknown setting"):
        client.command("SELECT 1", settings={"no_such_setting_anywhere": 1})


def test_errors_carry_the_server_code(client: Any) -> None:
    with pytest.raises(Exception, match="code: 60"):
        client.query("SELECT * FROM no_such_table")


def test_a_session_keeps_its_settings_and_refuses_concurrent_use(
    clickhouse_server: ClickHouseServer,
) -> None:
    session = clickhouse_connect.get_client(dsn=clickhouse_server.dsn(), session_id="s-1")
    session.command("SET max_threads = 5")
    assert session.command("SELECT value FROM system.settings WHERE name = 'max_threads'") == 5
    base = f"http://127.0.0.1:{clickhouse_server.port}/?session_id=s-1&user=rum&password=s3cret"
    errors: list[str] = []

    def slow() -> None:
        request = urllib.request.Request(base, data=b"SELECT sleep(1)")
        urllib.request.urlopen(request, timeout=10).read()

    thread = threading.Thread(target=slow)
    thread.start()
    threading.Event().wait(0.3)
    try:
        urllib.request.urlopen(urllib.request.Request(base, data=b"SELECT 1"), timeout=10)
    except urllib.error.HTTPError as exc:
        errors.append(exc.read().decode())
    thread.join()
    assert errors and "SESSION_IS_LOCKED" in errors[0]
    session.close()


def test_ping_and_authentication(clickhouse_server: ClickHouseServer) -> None:
    base = f"http://127.0.0.1:{clickhouse_server.port}"
    with urllib.request.urlopen(base + "/ping", timeout=5) as answer:
        assert answer.read() == b"Ok.\n"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(base + "/", data=b"SELECT 1"), timeout=5)
    assert refused.value.code == 401
