"""The ingest guards: site and origin allow-lists, the client address behind a proxy."""

from __future__ import annotations

import pytest

from rum_server.ingest.errors import Forbidden
from rum_server.ingest.guards import check_origin, check_site


def test_sites_outside_the_allow_list_are_forbidden() -> None:
    check_site("shop", ("shop",))
    check_site("anything", ())
    with pytest.raises(Forbidden, match="'other'") as raised:
        check_site("other", ("shop",))
    assert raised.value.status_code == 403


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        (None, "shop.example", ()),
        ("http://shop.example", "shop.example", ()),
        ("https://cdn.example", "shop.example", ("https://cdn.example",)),
        ("https://any.example", "shop.example", ("*",)),
    ],
)
def test_same_origin_and_allowed_origins_pass(
    origin: str | None, host: str, allowed: tuple[str, ...]
) -> None:
    check_origin(origin, host, allowed)


def test_another_origin_is_forbidden() -> None:
    with pytest.raises(Forbidden, match=r"evil\.example"):
        check_origin("https://evil.example", "shop.example", ("https://cdn.example",))
