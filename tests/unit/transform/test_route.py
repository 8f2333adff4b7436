"""Routes: the page's pattern when given, else the path with clearly dynamic segments collapsed."""

from __future__ import annotations

import pytest

from rum_server.transform.route import MAX_ROUTE_LENGTH, MAX_SEGMENTS, collapse_path, route_for


@pytest.mark.parametrize(
    ("path", "route"),
    [
        # the storage contract's example
        ("/products/12345/p", "/products/:id/p"),
        # human paths stay as they are, case included
        ("/feminino/vestidos", "/feminino/vestidos"),
        ("/Masculino/Camisetas-Polo", "/Masculino/Camisetas-Polo"),
        ("/blog/black-friday-2026", "/blog/black-friday-2026"),
        ("/iphone-15", "/iphone-15"),
        ("/v1/status", "/v1/status"),
        ("/facebook/deadbeef", "/facebook/deadbeef"),
        # numbers and digit groups
        ("/page/2", "/page/:id"),
        ("/account/orders/1234567890123-01", "/account/orders/:id"),
        ("/files/1.2.3", "/files/:id"),
        ("/cliente/123.456.789-09/pedidos", "/cliente/:id/pedidos"),
        ("/contato/%2B5511999999999", "/contato/:id"),
        # uuids, dates, hashes, long tokens, emails
        ("/orders/550e8400-e29b-41d4-a716-446655440000", "/orders/:uuid"),
        ("/orders/550E8400-E29B-41D4-A716-446655440000/items", "/orders/:uuid/items"),
        ("/blog/2026-11-29/launch", "/blog/:date/launch"),
        ("/events/2026-11-29T10:00:00Z", "/events/:date"),
        ("/build/3f2a9c1b", "/build/:hash"),
        ("/commit/0123456789abcdef0123456789abcdef01234567", "/commit/:hash"),
        ("/t/dGhpczFpczJhM2xvbmc0dG9rZW4", "/t/:id"),
        ("/t/prod_01H8XYZABCDEFG12345", "/t/:id"),
        ("/t/01ARZ3NDEKTSV4RRFFQ69G5FAV", "/t/:id"),
        ("/u/maria.silva@example.com.br/wishlist", "/u/:email/wishlist"),
        ("/u/maria.silva%40example.com/wishlist", "/u/:email/wishlist"),
        # product pages: the slug before a final /p
        ("/camiseta-polo-azul-12345/p", "/:slug/p"),
        ("/produto/camiseta-azul-p/p", "/produto/:slug/p"),
        ("/tenis-nike-air-max/p", "/:slug/p"),
        ("/p", "/p"),
        # shape: root, empty segments, trailing slash, query and fragment
        ("", "/"),
        ("/", "/"),
        ("//", "/"),
        ("/feminino/", "/feminino"),
        ("//feminino//vestidos//", "/feminino/vestidos"),
        ("/s?q=camiseta&page=2", "/s"),
        ("/checkout/#/cart", "/checkout"),
        # percent-decoding
        ("/caf%C3%A9/menu", "/café/menu"),
        ("/busca/camiseta%20azul", "/busca/camiseta azul"),
        ("/a%2Fb/c", "/a%2Fb/c"),
        ("/a%2fb/c", "/a%2Fb/c"),
        ("/bad/%E0%A4", "/bad/\ufffd"),
        ("/broken/%zz/%", "/broken/%zz/%"),
        ("/ctl/a%00b%0A", "/ctl/ab"),
        ("/ctl/%00", "/ctl"),
    ],
)
def test_collapse_path(path: str, route: str) -> None:
    assert collapse_path(path) == route


def test_more_than_sixteen_segments_end_in_a_star() -> None:
    path = "/" + "/".join(f"level{n}" for n in range(40))
    route = collapse_path(path)
    segments = route.strip("/").split("/")
    assert len(segments) == MAX_SEGMENTS
    assert segments[: MAX_SEGMENTS - 1] == [f"level{n}" for n in range(MAX_SEGMENTS - 1)]
    assert segments[-1] == "*"


def test_exactly_sixteen_segments_are_kept_whole() -> None:
    path = "/" + "/".join(f"level{n}" for n in range(MAX_SEGMENTS))
    assert collapse_path(path) == path


def test_long_paths_are_cut_on_a_segment_boundary() -> None:
    segment = "departamento-de-roupas-femininas"
    route = collapse_path("/" + "/".join([segment] * 12))
    assert route == "/" + "/".join([segment] * 7) + "/*"
    assert len(route) <= MAX_ROUTE_LENGTH


def test_one_huge_segment_is_cut_hard() -> None:
    route = collapse_path("/" + "a" * 1_000)
    assert route == "/" + "a" * (MAX_ROUTE_LENGTH - 3) + "/*"
    assert len(route) == MAX_ROUTE_LENGTH


def test_a_route_of_exactly_the_limit_is_kept() -> None:
    path = "/" + "a" * (MAX_ROUTE_LENGTH - 1)
    assert collapse_path(path) == path


@pytest.mark.parametrize(
    ("route_hint", "url", "route"),
    [
        ("/_products/$slug/p", "https://shop.example/camiseta-azul-123/p", "/_products/$slug/p"),
        ("  /:slug/p \n", "https://shop.example/x/p", "/:slug/p"),
        ("", "https://shop.example/products/12345/p?skuId=9", "/products/:id/p"),
        ("   ", "https://shop.example/feminino/?page=2#top", "/feminino"),
        ("", "https://shop.example", "/"),
        ("", "https://shop.example/", "/"),
        ("", "/relative/42", "/relative/:id"),
        ("", "", "/"),
        ("", "not a url", "/not a url"),
        ("", "http://[::1/orders/77", "/orders/:id"),
        ("", "http://[::1", "/"),
        ("\x00\x1f", "https://shop.example/a", "/a"),
    ],
)
def test_route_for(route_hint: str, url: str, route: str) -> None:
    assert route_for(route_hint, url) == route


def test_a_long_hint_is_cut_to_the_limit() -> None:
    assert route_for("/" + "x" * 1_000, "https://shop.example/") == "/" + "x" * 255


@pytest.mark.parametrize("junk", [None, 42, b"/bytes/1"])
def test_never_raises_on_junk(junk: object) -> None:
    assert collapse_path(junk) == "/"  # type: ignore[arg-type]
    assert route_for(junk, junk) == "/"  # type: ignore[arg-type]
    assert route_for("", junk) == "/"  # type: ignore[arg-type]
