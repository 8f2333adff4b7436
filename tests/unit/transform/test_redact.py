"""Redaction: every kind of PII is masked, storefront look-alikes survive, nothing raises."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rum_server.transform.redact import (
    DEFAULT_POLICY,
    DEFAULT_QUERY_ALLOWLIST,
    Kind,
    RedactionPolicy,
    clean_fingerprint,
    clean_id,
    clean_user_hash,
    is_clean_site,
    normalise,
    redact,
    redact_key,
    redact_message,
    redact_referrer,
    redact_stack,
    redact_text,
    redact_url,
)

JWT_SAMPLE = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
RANDOM_BASE64 = "Zq3VtX9pL2mN8rB4kW7yH1cJ6dF0gS5aQeT"  # 35 chars, random-looking
SHA256_HEX = "9f86d081884c7d659a2feaea0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0"
BUILD_SHA1 = "4f1c2b3a4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a"

# -- free text: each kind of PII ----------------------------------------------------------

MASKED = [
    # (kind, input, expected)
    ("email", "contact john.doe@example.com now", "contact [email] now"),
    ("email with plus tag", "user+promo@loja.com.br", "[email]"),
    ("email unicode local", "joão.silva@exemplo.com.br falhou", "[email] falhou"),
    ("email in quotes", "'maria_01@gmail.com' not found", "'[email]' not found"),
    ("card visa grouped", "card 4111 1111 1111 1111", "card [card]"),
    ("card visa dashed", "4111-1111-1111-1111", "[card]"),
    ("card mastercard bare", "pan=5555555555554444;", "pan=[card];"),
    ("card amex grouped", "3782 822463 10005", "[card]"),
    ("card discover", "6011111111111117", "[card]"),
    ("card elo", "6362970000457013", "[card]"),
    ("card diners 14 digits", "30569309025904", "[card]"),
    ("phone br international", "+55 11 91234-5678", "[phone]"),
    ("phone br international compact", "tel +5511912345678.", "tel [phone]."),
    ("phone br with parens", "(11) 91234-5678", "[phone]"),
    ("phone br landline parens", "ligue (21) 2345-6789", "ligue [phone]"),
    ("phone br with ddd", "whats 11 91234-5678", "whats [phone]"),
    ("phone br intl with parens", "+55 (11) 91234-5678", "[phone]"),
    ("phone br mobile with spaced 9", "Celular: (11) 9 1234-5678", "Celular: [phone]"),
    ("phone br ddd and spaced 9", "11 9 1234-5678", "[phone]"),
    ("phone br bare with country code", "whatsapp: 5511912345678", "whatsapp: [phone]"),
    ("phone us international", "+1 415 555 2671", "[phone]"),
    ("phone us dashed", "+1-415-555-2671", "[phone]"),
    ("phone us local", "call 415-555-2671", "call [phone]"),
    ("phone us parens", "(415) 555-2671", "[phone]"),
    ("phone us dotted", "415.555.2671", "[phone]"),
    ("phone uk", "+44 20 7946 0958", "[phone]"),
    ("cpf formatted", "cpf 123.456.789-09 inválido", "cpf [cpf] inválido"),
    ("cpf formatted typo still masked", "123.456.789-10", "[cpf]"),
    ("cpf bare valid", "cpf=12345678909", "cpf=[cpf]"),
    ("cpf dash only valid", "12345678909"[:9] + "-09", "[cpf]"),
    ("cnpj formatted", "CNPJ 12.345.678/0001-95", "CNPJ [cnpj]"),
    ("cnpj bare valid", "12345678000195", "[cnpj]"),
    ("cnpj alphanumeric", "12.ABC.345/01DE-35", "[cnpj]"),
    ("jwt", f"token {JWT_SAMPLE} expired", "token [jwt] expired"),
    (
        "bearer",
        "Authorization failed for Bearer abc.def-123_XYZ",
        "Authorization failed for Bearer [token]",
    ),
    (
        "authorization header",
        "Authorization: Basic dXNlcjpwYXNzd29yZA==",
        "Authorization: Basic [token]",
    ),
    ("basic credentials", "sent Basic dXNlcjpwYXNzd29yZA== twice", "sent Basic [token] twice"),
    ("stripe key", "using sk_live_51HabcdefGHIJ1234", "using [token]"),
    ("stripe test key", "rk_test_abcdefghij1234", "[token]"),
    ("aws key id", "AKIAIOSFODNN7EXAMPLE", "[token]"),
    ("github token", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "[token]"),
    ("google api key", "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW", "[token]"),
    ("shopify token", "shpat_0123456789abcdef0123456789abcdef", "[token]"),
    ("slack token", "xoxb-123456789012-abcdefABCDEF", "[token]"),
    ("api_key assignment", "fetch failed api_key=abc123", "fetch failed api_key=[token]"),
    ("password assignment", "password=hunter2 rejected", "password=[token] rejected"),
    ("camelCase token json", '{"accessToken": "abc"}', '{"accessToken": "[token]"}'),
    (
        "header with long value",
        "X-VTEX-API-AppToken: ABCDEFGHIJKLMNOPQRSTUV",
        "X-VTEX-API-AppToken: [token]",
    ),
    ("vtex app key", "X-VTEX-API-AppKey=vtexappkey-loja-ABCDEF", "X-VTEX-API-AppKey=[token]"),
    ("cookie header", "cookie: session=s%3AaBcD1234eFgH", "cookie: [token]"),
    ("session assignment", "failed with session=s%3AaBcD1234", "failed with session=[token]"),
    ("session id in path param", ";jsessionid=0A1B2C3D4E", ";jsessionid=[token]"),
    ("base64 secret", f"secret-ish {RANDOM_BASE64} here", "secret-ish [token] here"),
    ("base64 padded", "dGhpcyBpcyBhIHNlY3JldCB0b2tlbiB3aXRoIDEyMyBkaWdpdHM=", "[token]"),
    ("ipv4", "from 192.168.0.1", "from [ip]"),
    ("ipv4 with port", "10.0.0.12:8080 refused", "[ip]:8080 refused"),
    ("ipv6", "client 2001:db8::1 blocked", "client [ip] blocked"),
    ("ipv6 full", "fe80:0:0:0:202:b3ff:fe1e:8329", "[ip]"),
    ("ipv6 loopback", "listen ::1", "listen [ip]"),
    ("ipv4 mapped ipv6", "::ffff:192.0.2.128", "[ip]"),
]


@pytest.mark.parametrize(("kind", "text", "expected"), MASKED, ids=[c[0] for c in MASKED])
def test_pii_in_free_text_is_masked(kind: str, text: str, expected: str) -> None:
    assert redact_text(text) == expected


# -- free text: storefront content that must survive ------------------------------------

KEPT = [
    ("price brl", "R$ 1.299,90 à vista"),
    ("price with cents", "de R$ 12.345,67 por R$ 9.999,00"),
    ("iso date", "2026-11-29"),
    ("iso datetime", "2026-11-29T12:34:56.789Z"),
    ("time", "12:34:56"),
    ("short time", "entrega até 18:00"),
    ("version", "v1.2.3"),
    ("version bare", "preact 10.19.2"),
    ("sku", "SKU-12345"),
    ("css selector", "div.product-card:nth-child(2) > a#buy-button.btn--primary"),
    ("timestamp ms", "ts 1732900000000"),
    ("timestamp ms bare", "1732900000000"),
    ("product id failing luhn", "4111111111111112"),
    ("16 digit id failing luhn", "produto 5555555555554445"),
    ("long id not a card prefix", "1234567890123456"),
    ("ean-13 barcode", "7891234567895"),
    ("cpf-shaped invalid bare", "12345678900"),
    ("cnpj-shaped invalid bare", "12345678000100"),
    ("repeated digits", "11111111111"),
    ("order number", "pedido 1329870012345-01"),
    ("cep", "CEP 01310-100"),
    ("uuid", "550e8400-e29b-41d4-a716-446655440000"),
    ("trace id hex", "trace 4bf92f3577b34da6a3ce929d0e0e4736"),
    ("build hash hex", f"build {BUILD_SHA1}"),
    ("file line col", "app.js:12:345"),
    ("minified frame", "at t (chunk-ABC123.js:1:23456)"),
    ("long camel identifier", "useProductRecommendationsCarouselV2Handler is not a function"),
    ("long slug", "camiseta-polo-masculina-manga-curta-azul-marinho-2024"),
    ("natural language password", "password: must be at least 8 characters"),
    ("natural language token", "Invalid token: expired"),
    ("syntax error token", "Unexpected token '<'"),
    ("equality not assignment", "token == null"),
    ("scope operator", "Deco::Blocks::Section"),
    ("percent", "50% off em 3x"),
    ("quantity", "qty 12 x 3"),
    ("math with plus", "1+1=2"),
    ("viewport", "1920x1080"),
    ("npm scoped package", "@deco/deco@1.2.3"),
    ("reduced user agent version", "Chrome/131.0.0.0 Safari/537.36"),
    ("network address", "subnet 10.1.0.0/16"),
    ("empty", ""),
    ("plain words", "Cannot read properties of undefined (reading 'price')"),
]


@pytest.mark.parametrize(("kind", "text"), KEPT, ids=[c[0] for c in KEPT])
def test_storefront_content_is_not_masked(kind: str, text: str) -> None:
    assert redact_text(text) == text


def test_urls_inside_messages_lose_query_values() -> None:
    message = "Failed to fetch https://api.loja.com/user?email=ana%40x.com&utm_source=news#top"
    assert redact_text(message) == (
        "Failed to fetch https://api.loja.com/user?email=&utm_source=news"
    )


def test_custom_policy_applies_to_urls_inside_messages() -> None:
    policy = RedactionPolicy(("page",))
    assert redact_text("GET https://x.com/c?page=2&q=ana", policy=policy) == (
        "GET https://x.com/c?page=2&q="
    )


# -- URLs ---------------------------------------------------------------------------------

URLS = [
    ("fragment dropped", "https://loja.com/p#reviews", "https://loja.com/p"),
    (
        "query values dropped, keys kept",
        "https://loja.com/s?q=tenis&page=2",
        "https://loja.com/s?q=&page=",
    ),
    (
        "utm values kept",
        "https://loja.com/?utm_source=google&utm_medium=cpc&gclid=Cj0KCQ",
        "https://loja.com/?utm_source=google&utm_medium=cpc&gclid=",
    ),
    (
        "allow-list is case-insensitive",
        "https://loja.com/?UTM_Source=x",
        "https://loja.com/?UTM_Source=x",
    ),
    ("flag without value", "https://loja.com/?preview&q=1", "https://loja.com/?preview&q="),
    ("empty parameters dropped", "https://loja.com/?&&q=1&", "https://loja.com/?q="),
    ("bare question mark dropped", "https://loja.com/p?", "https://loja.com/p"),
    (
        "pii in allow-listed value",
        "https://x.com/?utm_content=ana%40x.com",
        "https://x.com/?utm_content=[email]",
    ),
    (
        "plus as space in allow-listed value",
        "https://x.com/?utm_term=call+%2B55+11+91234-5678",
        "https://x.com/?utm_term=call%20[phone]",
    ),
    ("pii in query key", "https://x.com/?ana@x.com", "https://x.com/?[email]"),
    ("credentials dropped", "https://user:secret@loja.com/a", "https://loja.com/a"),
    (
        "email in path",
        "https://loja.com/conta/john.doe%40gmail.com/pedidos",
        "https://loja.com/conta/[email]/pedidos",
    ),
    ("raw email in path", "https://loja.com/u/ana@x.com", "https://loja.com/u/[email]"),
    ("cpf in path", "https://loja.com/cliente/123.456.789-09", "https://loja.com/cliente/[cpf]"),
    (
        "cnpj encoded in path",
        "https://b2b.com/empresa/12.345.678%2F0001-95",
        "https://b2b.com/empresa/[cnpj]",
    ),
    ("phone in path", "https://x.com/contato/%2B5511912345678", "https://x.com/contato/[phone]"),
    (
        "hex token in path",
        f"https://loja.com/reset-senha/{SHA256_HEX}",
        "https://loja.com/reset-senha/[token]",
    ),
    (
        "undashed uuid in page path reads as a token",
        "https://loja.com/unsubscribe/0123456789abcdef0123456789abcdef",
        "https://loja.com/unsubscribe/[token]",
    ),
    (
        "base64 token in path",
        f"https://loja.com/login/{RANDOM_BASE64}",
        "https://loja.com/login/[token]",
    ),
    ("jwt in path", f"https://loja.com/magic/{JWT_SAMPLE}", "https://loja.com/magic/[jwt]"),
    ("ipv4 in path", "https://x.com/geo/200.147.67.142", "https://x.com/geo/[ip]"),
    ("ipv4 host", "http://192.168.0.10:8080/x?a=1", "http://[ip]:8080/x?a="),
    ("ipv6 host", "http://[2001:db8::1]:8080/x", "http://[ip]:8080/x"),
    ("ip host with trailing dot", "http://192.168.0.10./x", "http://[ip]/x"),
    ("mailto", "mailto:ana@x.com?subject=oi", "mailto:[email]?subject="),
    ("tel", "tel:+5511912345678", "tel:[phone]"),
    ("relative", "/busca?q=ana#x", "/busca?q="),
    (
        "non-ascii path kept",
        "https://loja.com/categoria/calçados",
        "https://loja.com/categoria/calçados",
    ),
    (
        "non-ascii path re-encoded when redacted",
        "https://loja.com/ação/ana@x.com",
        "https://loja.com/a%C3%A7%C3%A3o/[email]",
    ),
    ("empty", "", ""),
]

URLS_KEPT = [
    ("slug with product id", "https://loja.com/tenis-nike-air-max-90-masculino-123456/p"),
    ("uuid page id", "https://loja.com/pedido/550e8400-e29b-41d4-a716-446655440000"),
    ("object id", "https://loja.com/orders/507f1f77bcf86cd799439011"),
    ("order number", "https://loja.com/checkout/orderPlaced/1329870012345-01"),
    ("date in path", "https://blog.loja.com/2026-11-29/black-friday"),
    ("build hash in asset path", f"https://loja.com/_frsh/js/{BUILD_SHA1}/island-cart.js"),
    ("content hash in asset name", f"https://cdn.loja.com/assets/app.{SHA256_HEX}.css"),
    ("image id", "https://loja.vtexassets.com/arquivos/ids/4567890-800-800/tenis.jpg"),
    ("percent-encoded slug", "https://loja.com/busca/t%C3%AAnis%20azul"),
    ("port", "http://localhost:3000/p"),
    ("query key only", "https://loja.com/p?amp"),
]


@pytest.mark.parametrize(("kind", "url", "expected"), URLS, ids=[c[0] for c in URLS])
def test_url_is_redacted(kind: str, url: str, expected: str) -> None:
    assert redact_url(url, DEFAULT_POLICY) == expected


@pytest.mark.parametrize(("kind", "url"), URLS_KEPT, ids=[c[0] for c in URLS_KEPT])
def test_url_without_pii_is_kept(kind: str, url: str) -> None:
    assert redact_url(url, DEFAULT_POLICY) == url


def test_asset_query_values_are_still_dropped() -> None:
    url = "https://loja.vtexassets.com/arquivos/ids/1-800-800/a.jpg?v=638012345678900000"
    assert redact_url(url, DEFAULT_POLICY) == url.replace("638012345678900000", "")


POLICIES = [
    (
        "exact keys",
        ("page", "sort"),
        "https://x.com/c?page=2&sort=price&q=a",
        "https://x.com/c?page=2&sort=price&q=",
    ),
    (
        "prefix pattern",
        ("filter_*",),
        "https://x.com/c?filter_color=azul&filterx=1",
        "https://x.com/c?filter_color=azul&filterx=",
    ),
    ("empty allow-list", (), "https://x.com/?utm_source=google", "https://x.com/?utm_source="),
    (
        "star keeps every value",
        ("*",),
        "https://x.com/?a=1&b=ana@x.com",
        "https://x.com/?a=1&b=[email]",
    ),
    (
        "whitespace and case in entries",
        (" PAGE ",),
        "https://x.com/?page=3",
        "https://x.com/?page=3",
    ),
    (
        "encoded key matches",
        ("utm_source",),
        "https://x.com/?utm%5Fsource=g",
        "https://x.com/?utm%5Fsource=g",
    ),
]


@pytest.mark.parametrize(
    ("kind", "allowlist", "url", "expected"), POLICIES, ids=[c[0] for c in POLICIES]
)
def test_custom_allowlist(kind: str, allowlist: tuple[str, ...], url: str, expected: str) -> None:
    assert redact_url(url, RedactionPolicy(allowlist)) == expected


def test_default_allowlist_is_utm_prefix() -> None:
    assert DEFAULT_QUERY_ALLOWLIST == ("utm_*",)
    assert RedactionPolicy() == DEFAULT_POLICY


def test_policy_is_hashable_and_normalised() -> None:
    policy = RedactionPolicy([" Page ", "", "utm_*"])  # type: ignore[arg-type]
    assert policy.query_allowlist == ("page", "utm_*")
    assert hash(policy) == hash(RedactionPolicy(("page", "utm_*")))


# -- referrer -----------------------------------------------------------------------------

REFERRERS = [
    ("search engine", "https://www.google.com/search?q=ana%40x.com", "https://www.google.com"),
    (
        "path dropped",
        "https://l.facebook.com/l.php?u=https%3A%2F%2Floja.com",
        "https://l.facebook.com",
    ),
    ("fragment dropped", "https://x.com#a", "https://x.com"),
    ("case normalised", "HTTPS://WWW.Bing.COM/", "https://www.bing.com"),
    ("default port dropped", "https://x.com:443/a", "https://x.com"),
    ("other port kept", "http://x.com:8080/a", "http://x.com:8080"),
    ("credentials dropped", "https://ana:pw@x.com/a", "https://x.com"),
    ("ipv4 host masked", "http://10.0.0.5/a", "http://[ip]"),
    ("ipv6 host masked", "http://[::1]:3000/", "http://[ip]:3000"),
    ("android app", "android-app://com.google.android.gm/", ""),
    ("file", "file:///C:/Users/ana/a.html", ""),
    ("relative", "/checkout", ""),
    ("garbage", "not a url", ""),
    ("no host", "https://", ""),
    ("space in host", "https://a b.com/", ""),
    ("empty", "", ""),
]


@pytest.mark.parametrize(("kind", "referrer", "expected"), REFERRERS, ids=[c[0] for c in REFERRERS])
def test_referrer_is_reduced_to_origin(kind: str, referrer: str, expected: str) -> None:
    assert redact_referrer(referrer) == expected


# -- stacks -------------------------------------------------------------------------------

STACKS = [
    (
        "chrome frame keeps line and column",
        "TypeError: x is undefined\n    at addToCart (https://loja.com/_frsh/js/"
        f"{BUILD_SHA1}/island-cart.js:12:345)",
        "TypeError: x is undefined\n    at addToCart (https://loja.com/_frsh/js/"
        f"{BUILD_SHA1}/island-cart.js:12:345)",
    ),
    (
        "query value and fragment dropped before line:col",
        "at t (https://loja.com/app.js?v=abc123&token=s3cr3t#x:1:2)",
        "at t (https://loja.com/app.js?v=&token=:1:2)",
    ),
    (
        "firefox frame",
        "addToCart@https://loja.com/app.js?session=ana:7:19\n@https://loja.com/p:1:1",
        "addToCart@https://loja.com/app.js?session=:7:19\n@https://loja.com/p:1:1",
    ),
    (
        "pii in message line",
        "Error: no account for ana@x.com\n    at f (https://x.com/a.js:1:2)",
        "Error: no account for [email]\n    at f (https://x.com/a.js:1:2)",
    ),
    (
        "pii in page url of frame",
        "at https://loja.com/conta/ana%40x.com/pedidos:3:4",
        "at https://loja.com/conta/[email]/pedidos:3:4",
    ),
    (
        "url without position",
        "at eval (webpack-internal:///./src/cart.ts?q=1)",
        "at eval (webpack-internal:///./src/cart.ts?q=)",
    ),
    (
        "relative frame untouched",
        "at Object.render (app.js:12:345)\n    at <anonymous>:1:2",
        "at Object.render (app.js:12:345)\n    at <anonymous>:1:2",
    ),
    (
        "trailing punctuation stays outside the url",
        "see https://x.com/a?b=c.",
        "see https://x.com/a?b=.",
    ),
    (
        "cpf and card in async frame text",
        "at async cpf 123.456.789-09 card 4111111111111111 (https://x.com/c.js:9:9)",
        "at async cpf [cpf] card [card] (https://x.com/c.js:9:9)",
    ),
]


@pytest.mark.parametrize(("kind", "stack", "expected"), STACKS, ids=[c[0] for c in STACKS])
def test_stack_is_redacted(kind: str, stack: str, expected: str) -> None:
    assert redact_stack(stack, DEFAULT_POLICY) == expected


def test_stack_uses_the_given_policy() -> None:
    stack = "at f (https://x.com/a.js?build=42&q=ana:1:2)"
    assert (
        redact_stack(stack, RedactionPolicy(("build",)))
        == "at f (https://x.com/a.js?build=42&q=:1:2)"
    )


# -- robustness: never raises, stays fast, idempotent -------------------------------------

URL_PIECES = st.sampled_from(
    [
        "https://",
        "http://",
        "//",
        "[",
        "]",
        "::1",
        "@",
        ":",
        "/",
        "?",
        "#",
        "&",
        "=",
        "%",
        "%2",
        "%zz",
        "%40",
        "+",
        "utm_x",
        "a",
        "é",
        "\udcff",
        "\x00",
        " ",
        "\n",
        "1",
        "192.168.0.1",
        "ana@x.com",
        "4111111111111111",
        "eyJ",
        ".",
        "-",
        "js:1:2",
        "\\",
        "\u202e",
        "\U0001f600",
    ]
)
URLISH = st.lists(URL_PIECES, max_size=40).map("".join)
WIRE_LIMIT_TEXT = st.lists(URL_PIECES, min_size=300, max_size=1200).map(
    lambda pieces: "".join(pieces)[:8192]
)
ANY_TEXT = st.one_of(
    st.text(max_size=300), URLISH, st.binary(max_size=200).map(lambda b: b.decode("latin-1"))
)
CUSTOM_POLICIES = st.builds(RedactionPolicy, st.lists(st.text(max_size=8), max_size=4).map(tuple))
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(text=ANY_TEXT, policy=CUSTOM_POLICIES)
def test_never_raises_on_any_input(text: str, policy: RedactionPolicy) -> None:
    for result in (
        redact_text(text, policy=policy),
        redact_url(text, policy),
        redact_referrer(text),
        redact_stack(text, policy),
    ):
        assert isinstance(result, str)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=WIRE_LIMIT_TEXT)
def test_never_raises_at_wire_limit_sizes(text: str) -> None:
    for result in (
        redact_text(text[:2048]),
        redact_url(text[:2048], DEFAULT_POLICY),
        redact_referrer(text[:2048]),
        redact_stack(text, DEFAULT_POLICY),
    ):
        assert isinstance(result, str)
        assert result != "[redacted]"  # the safety net is not what made it pass


@FAST
@given(text=ANY_TEXT)
def test_redaction_is_idempotent(text: str) -> None:
    once = redact_text(text)
    assert redact_text(once) == once
    url_once = redact_url(text, DEFAULT_POLICY)
    assert redact_url(url_once, DEFAULT_POLICY) == url_once


@FAST
@given(
    params=st.lists(
        st.tuples(st.text(min_size=1, max_size=10), st.text(max_size=20)), min_size=1, max_size=6
    ),
    fragment=st.text(max_size=20),
)
def test_only_allow_listed_values_survive(params: list[tuple[str, str]], fragment: str) -> None:
    url = f"https://loja.com/p?{urlencode(params)}#{fragment}"
    redacted = redact_url(url, DEFAULT_POLICY)
    assert "#" not in redacted
    for key, value in parse_qsl(urlsplit(redacted).query, keep_blank_values=True):
        if not key.lower().startswith("utm_"):
            assert value == ""


def _cpf(nine: str) -> str:
    def digit(chars: str, start_weight: int) -> str:
        remainder = (
            sum(int(c) * w for c, w in zip(chars, range(start_weight, 1, -1), strict=True)) % 11
        )
        return "0" if remainder < 2 else str(11 - remainder)

    first = digit(nine, 10)
    return nine + first + digit(nine + first, 11)


def _luhn_complete(partial: str) -> str:
    for last in "0123456789":
        candidate = partial + last
        total = 0
        for position, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if position % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


WORDS = st.lists(
    st.sampled_from(["erro", "no", "pedido", "R$", "10,00", "ok", "-", ":"]), max_size=4
).map(" ".join)
EMAILS = st.builds(
    "{}@{}.{}".format,
    st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,15}", fullmatch=True),
    st.from_regex(r"[a-z0-9]{1,10}(\.[a-z0-9]{1,10}){0,2}", fullmatch=True),
    st.sampled_from(["com", "com.br", "io", "net"]),
)
CPFS = st.from_regex(r"[0-9]{9}", fullmatch=True).filter(lambda s: len(set(s)) > 1).map(_cpf)
CARDS = st.from_regex(r"4[0-9]{14}|5[1-5][0-9]{13}", fullmatch=True).map(_luhn_complete)


@FAST
@given(before=WORDS, secret=st.one_of(EMAILS, CPFS, CARDS), after=WORDS)
def test_generated_pii_never_survives(before: str, secret: str, after: str) -> None:
    redacted = redact_text(f"{before} {secret} {after}")
    assert secret not in redacted
    assert "[" in redacted


PATHOLOGICAL = [
    "a" * 8192,
    "1" * 8192,
    ":" * 8192,
    "+1" * 4096,
    "a@" * 4096,
    "%" * 2048,
    "1:" * 4096,
    "1." * 4096,
    "1-" * 4096,
    "aB1" * 2730,
    "https://" * 1000,
    "::" * 4096,
    "0:" * 4096,
    ("x" * 40 + " ") * 200,
    "Bearer " * 1000,
    "token=" * 1000,
    "eyJ" * 2730,
    "a@b." * 2048,
    "ana@x.com " * 800,
    "4111111111111111 " * 480,
    "https://a" + ":1" * 4000,
    "a://" * 2048,
    ("://" + "a" * 30) * 240,
]


@pytest.mark.parametrize("text", PATHOLOGICAL, ids=[repr(t[:6]) for t in PATHOLOGICAL])
def test_pathological_inputs_stay_fast(text: str) -> None:
    started = time.perf_counter()
    redact_text(text)
    redact_url(text, DEFAULT_POLICY)
    redact_stack(text, DEFAULT_POLICY)
    redact_referrer(text)
    assert time.perf_counter() - started < 2.0  # linear scan; quadratic would take far longer


def test_non_string_input_gives_empty_string() -> None:
    assert redact_text(None) == ""  # type: ignore[arg-type]
    assert redact_url(None, DEFAULT_POLICY) == ""  # type: ignore[arg-type]
    assert redact_referrer(b"https://x.com") == ""  # type: ignore[arg-type]
    assert redact_stack(123, DEFAULT_POLICY) == ""  # type: ignore[arg-type]


# -- normalisation before detection --------------------------------------------------------

OBFUSCATED = [
    ("email split by NUL", "conta maria.silva@exa\x00mple.com", "conta [email]"),
    ("email split by zero-width space", "maria.silva@exa\u200bmple.com", "[email]"),
    ("email with soft hyphen", "maria.sil\u00adva@example.com", "[email]"),
    ("email with bidi override", "maria\u202e.silva@example.com", "[email]"),
    ("card split by NUL", "4111 11\x0011 1111 1111", "[card]"),
    ("card split by escape", "4111 1111\x1b 1111 1111", "[card]"),
    ("cpf split by bell", "123.456.\x07789-09", "[cpf]"),
    (
        "cpf in fullwidth digits",
        "\uff11\uff12\uff13.\uff14\uff15\uff16.\uff17\uff18\uff19-\uff10\uff19",
        "[cpf]",
    ),
    ("card in arabic-indic digits", "\u0664" + "\u0661" * 15, "[card]"),
    ("percent-encoded email", "pedido de ana%40gmail.com", "pedido de [email]"),
    ("email encoded twice", "ana%2540gmail.com", "[email]"),
    ("encoded NUL inside email", "ana@gm%00ail.com", "[email]"),
    (
        "encoded url in text",
        "redirect https%3A%2F%2Fx.com%2F%3Fq%3Dmaria",
        "redirect https://x.com/?q=",
    ),
    ("tab removed in one-line text", "4111 1111 1\t111 1111", "[card]"),
]


@pytest.mark.parametrize(("kind", "text", "expected"), OBFUSCATED, ids=[c[0] for c in OBFUSCATED])
def test_obfuscated_pii_is_masked_after_normalisation(kind: str, text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_messages_keep_their_line_breaks_and_tabs() -> None:
    message = "Error: falhou\n\tat f (https://x.com/a.js?q=1:1:2)\r\n"
    assert redact_message(message) == "Error: falhou\n\tat f (https://x.com/a.js?q=:1:2)\n"


def test_one_line_text_loses_line_breaks() -> None:
    assert redact_text("linha\num") == "linhaum"


def test_normalise_is_idempotent_on_hostile_text() -> None:
    text = "a\u200b\x00b\u202e\uff14\u00ad%41"
    assert normalise(normalise(text)) == normalise(text) == "ab4%41"


# -- secrets after secret-like keys -------------------------------------------------------

SECRET_KEYS = [
    (
        "aws secret key",
        "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "aws_secret_access_key=[token]",
    ),
    ("header with a dash", "X-Api-Key: 5f4dcc3b5aa765d61d8327deb882cf99", "X-Api-Key: [token]"),
    ("key colon short value", "api_key: abc", "api_key: [token]"),
    ("password colon word with digit", "senha: minhaSenha123", "senha: [token]"),
    ("camelCase secret", "clientSecret=abc", "clientSecret=[token]"),
    ("uppercase env var", "DB_PASSWORD=hunter2", "DB_PASSWORD=[token]"),
    (
        "token then long hex",
        "token 9f86d081884c7d659a2feaea0c55ad01 expirou",
        "token [token] expirou",
    ),
    ("secret then base64", "secret dGhpcyBpcyBhIHNlY3JldA1= x", "secret [token] x"),
    ("session id key", "session_id=8f14e45fceea167a", "session_id=[token]"),
    ("quoted json secret", '{"client_secret":"s3cr3t"}', '{"client_secret":"[token]"}'),
]
SECRET_LOOKALIKES = [
    ("prose after token", "Invalid token: expired"),
    ("prose after password", "password: must be at least 8 characters"),
    ("word containing sig", "design=compact"),
    ("word containing key", "monkey=1"),
    ("plural tokens", "tokens=5"),
    ("bare key", "key=productId"),
    ("short hex after token", "token 9f86d081"),
    ("long word after token", "token expiredbecauseitsold"),
]


@pytest.mark.parametrize(("kind", "text", "expected"), SECRET_KEYS, ids=[c[0] for c in SECRET_KEYS])
def test_secrets_after_secret_like_keys_are_masked(kind: str, text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(("kind", "text"), SECRET_LOOKALIKES, ids=[c[0] for c in SECRET_LOOKALIKES])
def test_secret_like_words_in_prose_are_kept(kind: str, text: str) -> None:
    assert redact_text(text) == text


# -- URLs with parentheses ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET https://x.com/busca(1)?q=maria", "GET https://x.com/busca(1)?q="),
        ("(see https://x.com/p?q=maria)", "(see https://x.com/p?q=)"),
        ("at f (https://x.com/a.js?v=(1):1:2)", "at f (https://x.com/a.js?v=:1:2)"),
        ("x (https://a.com/?q=1)https://b.com/?q=ana", "x (https://a.com/?q=)https://b.com/?q="),
    ],
)
def test_urls_keep_balanced_parentheses_and_lose_their_query(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_a_literal_plus_in_a_kept_query_value_is_still_a_phone() -> None:
    url = "https://x.com/?utm_term=+1 415 555 2671"
    assert redact_url(url, DEFAULT_POLICY) == "https://x.com/?utm_term=[phone]"


def test_a_host_holding_personal_data_is_masked() -> None:
    assert redact_url("https://12345678909.loja.com/p", DEFAULT_POLICY) == (
        "https://[cpf].loja.com/p"
    )
    assert redact_referrer("https://ana%40x.com.evil.com/") == ""


# -- keys and ids ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("sku", "sku"),
        ("product.id", "product.id"),
        ("4111111111111111", ""),
        ("cpf_12345678909", ""),
        ("tel11912345678", ""),
        ("ana@x.com", ""),
        ("ana%40x.com", ""),
        ("email\x00", "email"),
        ("a b", ""),
        ("x" * 65, ""),
        ("", ""),
    ],
)
def test_keys_are_names_or_dropped(key: str, expected: str) -> None:
    assert redact_key(key) == expected


@pytest.mark.parametrize(
    "client_id",
    ["s-4d2b8e6f0a", "k3j9x2lq7m", "v5-1764446395000-3333333333333", "pv-91b2c3d4e5"],
)
def test_snippet_ids_are_kept(client_id: str) -> None:
    assert clean_id(client_id) == client_id


@pytest.mark.parametrize(
    "client_id",
    [
        "4111111111111111",
        "123.456.789-09",
        "5511912345678",
        "11912345678",
        "200.147.67.142",
        "x5511912345678",
        "pv_11912345678",
        "ana@x.com",
        "",
        "a" * 65,
    ],
)
def test_ids_with_personal_data_are_replaced_by_a_stable_keyed_hash(client_id: str) -> None:
    replaced = clean_id(client_id)
    assert replaced.startswith("h-") and len(replaced) == 26
    assert clean_id(client_id) == replaced  # rows of one id still group
    assert clean_id(replaced) == replaced
    assert client_id not in replaced or not client_id


def test_sites_must_read_as_names() -> None:
    assert is_clean_site("acme-store") and is_clean_site("loja.com.br")
    assert not is_clean_site("52998224725") and not is_clean_site("4111111111111111")
    assert not is_clean_site("site-123.456.789-09")


@pytest.mark.parametrize(
    ("fingerprint", "expected"),
    [
        ("a1b2c3d4", "a1b2c3d4"),
        ("9f86d081884c7d659a2feaea0c55ad01", "9f86d081884c7d659a2feaea0c55ad01"),
        ("k3j9x2", ""),  # the snippet's base-36 hash: the server computes its own
        ("A1B2C3D4", ""),
        ("11912345678", ""),
        ("ana@x.com", ""),
        ("maria", ""),
    ],
)
def test_fingerprints_are_lowercase_hex_or_recomputed(fingerprint: str, expected: str) -> None:
    assert clean_fingerprint(fingerprint) == expected


@pytest.mark.parametrize(
    ("user_hash", "expected"),
    [
        (SHA256_HEX, SHA256_HEX),
        (SHA256_HEX.upper(), SHA256_HEX),
        ("abcdef0123456789", ""),
        ("52998224725", ""),
        ("4111111111111111", ""),
        ("1" * 64, ""),
        ("ana@x.com", ""),
    ],
)
def test_user_hash_must_be_a_sha256(user_hash: str, expected: str) -> None:
    assert clean_user_hash(user_hash) == expected


# -- properties: normalised, decoded and obfuscated input ------------------------------------

OBFUSCATIONS = st.sampled_from(["", "\x00", "\u200b", "\u00ad", "\x1b", "\u202e", "\u2060"])


def _obfuscate(secret: str, inserted: str, position: int, encode: bool) -> str:
    cut = position % (len(secret) + 1)
    value = secret[:cut] + inserted + secret[cut:]
    return quote(value, safe="") if encode else value


@FAST
@given(
    before=WORDS,
    secret=st.one_of(EMAILS, CPFS, CARDS),
    after=WORDS,
    inserted=OBFUSCATIONS,
    position=st.integers(min_value=0, max_value=40),
    encode=st.booleans(),
)
def test_obfuscated_generated_pii_never_survives(
    before: str, secret: str, after: str, inserted: str, position: int, encode: bool
) -> None:
    text = f"{before} {_obfuscate(secret, inserted, position, encode)} {after}"
    for redacted in (redact_text(text), redact_message(text), redact_key(text)):
        readable = unquote(unquote(redacted)).lower()
        assert secret.lower() not in readable


@FAST
@given(text=ANY_TEXT, kind=st.sampled_from(["text", "multiline", "url", "referrer", "key"]))
def test_every_kind_is_idempotent_and_total(text: str, kind: Kind) -> None:
    once = redact(text, kind)
    assert isinstance(once, str)
    assert redact(once, kind) == once


@FAST
@given(text=ANY_TEXT)
def test_ids_are_stable_and_never_raise(text: str) -> None:
    cleaned = clean_id(text)
    assert clean_id(cleaned) == cleaned
    assert isinstance(clean_fingerprint(text), str) and isinstance(clean_user_hash(text), str)


SHORT_ID_PARTS = st.sampled_from(
    ["v5", "v4", "pv", "s", "-", "AKIA", "ASIA", "glpat-", "xoxb-", "4111", "1111", "5511",
     "91234", "5678", "123", "456", "789", "09", "0", "a", "Z", "q9"]
)  # fmt: skip
SHORT_ID_SHAPES = st.one_of(
    st.text(alphabet="abcXYZ0123456789-", min_size=1, max_size=34),
    st.lists(SHORT_ID_PARTS, min_size=1, max_size=12).map("".join),
    st.tuples(
        st.sampled_from(["v5-", "v1-", "x", "", "4-", "a1-"]),
        st.integers(0, 10**14),
        st.sampled_from(["-", "", "--"]),
        st.sampled_from([4222222222222, 5511912345678, 4111111111111, 0, 1, 10**12]),
    ).map(lambda p: f"{p[0]}{p[1]}{p[2]}{p[3]}"),
)


@settings(max_examples=3000, deadline=None)
@given(value=SHORT_ID_SHAPES)
def test_the_short_id_path_agrees_with_every_detector(value: str) -> None:
    """Ids in the short alphabet skip the detectors that cannot hit them (redact.py,
    ``_SHORT_ID``); the answer must be the one the detectors give."""
    from rum_server.transform.redact import _is_plain_id, _is_plain_id_by_detectors

    assert _is_plain_id(value) == _is_plain_id_by_detectors(value)


@pytest.mark.parametrize(
    "client_id",
    ["4111-1111-1111-1111", "411-555-0123", "AKIA0123456789ABCDEF", "xoxb-1234567890ab",
     "glpat-0123456789abcdefghij", "v5-1764446390000-4222222222222", "v5-12-5511912345678"],
)  # fmt: skip
def test_short_ids_holding_a_card_phone_or_secret_are_replaced(client_id: str) -> None:
    assert clean_id(client_id).startswith("h-")


def test_a_referrer_with_an_ip_host_stays_masked_when_redacted_again() -> None:
    once = redact_referrer("https://203.0.113.9:8443/x")
    assert once == "https://[ip]:8443"
    assert redact_referrer(once) == once
