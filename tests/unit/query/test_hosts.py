"""Host names the API answers without a token: loopback names and the listed ones."""

from __future__ import annotations

import pytest

from rum_server.query.hosts import host_allowed, host_name


@pytest.mark.parametrize(
    ("header", "allowed"),
    [
        ("localhost:8000", True),
        ("LOCALHOST.", True),
        ("dash.localhost", True),
        ("127.0.0.1:8000", True),
        ("127.8.9.1", True),
        ("[::1]:8000", True),
        ("rum.internal:8000", True),
        ("attacker.example", False),
        ("localhost.attacker.example", False),
        ("", False),
        ("10.0.0.5", False),
    ],
)
def test_only_loopback_and_listed_names_are_allowed(header: str, allowed: bool) -> None:
    assert host_allowed(header, ("rum.internal",)) is allowed


def test_the_port_and_brackets_are_not_part_of_the_name() -> None:
    assert host_name("[::1]:8000") == "::1"
    assert host_name("Rum.Internal:443") == "rum.internal"
