"""Writes ``cases.jsonl``: personal data planted in every client-controlled field of a beacon.

    python tests/data/pii/generate.py

Each case puts one planted value into one field (envelope, event or header), in one
form: plain, percent-encoded (once or twice), split by a control or invisible
character, in fullwidth digits or upper case. ``planted`` lists what must never be
found in storage. Only what ``docs/privacy.md`` promises to mask is planted: names,
addresses and free-text search terms are planted only where URL rules drop them (query
values), never in free text (a documented limit).

The output is committed so a reviewer can read the cases; rerunning this script must
give the same file (the corpus test checks it).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases.jsonl"

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJtYXJpYSIsImVtYWlsIjoibWFyaWEifQ"
    ".Qm9sZEZha2VTaWduYXR1cmVfMTIzNDU2Nzg5MA"
)

# (kind, value as typed, what must not be stored)
IDENTIFIERS: list[tuple[str, str]] = [
    ("email", "maria.silva@example.com"),
    ("email", "joao.souza+promo@gmail.com"),
    ("email", "ana_costa@loja-exemplo.com.br"),
    ("card", "4111 1111 1111 1111"),
    ("card", "5555555555554444"),
    ("card", "3782 822463 10005"),
    ("card", "6362-9700-0045-7013"),
    ("cpf", "123.456.789-09"),
    ("cpf", "52998224725"),
    ("cpf", "111.444.777-35"),
    ("cnpj", "12.345.678/0001-95"),
    ("phone", "+55 11 91234-5678"),
    ("phone", "(11) 98765-4321"),
    ("phone", "5511987654321"),
    ("phone", "+1 415 555 2671"),
    ("ip", "200.147.67.142"),
    ("ip", "2001:db8:85a3::8a2e:370:7334"),
    ("jwt", JWT),
]

# (text with the secret in its context, the secret itself)
SECRETS: list[tuple[str, str]] = [
    (
        "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ),
    ("password=Hunter2Senha!", "Hunter2Senha!"),
    (
        "token 9f86d081884c7d659a2feaea0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0",
        "9f86d081884c7d659a2feaea0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0",
    ),
    ("Authorization: Bearer abcDEF123456ghiJKL789", "abcDEF123456ghiJKL789"),
    ("api_key: AbC123dEf456GhI789", "AbC123dEf456GhI789"),
    ("X-Api-Key: 5f4dcc3b5aa765d61d8327deb882cf99", "5f4dcc3b5aa765d61d8327deb882cf99"),
    ("client_secret=s3cr3t-Value-42", "s3cr3t-Value-42"),
    ('"accessToken": "ya29.a0AfH6SMBx-example-token"', "ya29.a0AfH6SMBx-example-token"),
    ("senha: minhaSenha123", "minhaSenha123"),
    ("session_id=8f14e45fceea167a5a36dedd4bea2543", "8f14e45fceea167a5a36dedd4bea2543"),
    ("secret key sk_live_51HqLyjWDarjtT1zdp7dc", "sk_live_51HqLyjWDarjtT1zdp7dc"),
]

# Search terms and names: masked only because query values are dropped.
QUERY_VALUES: list[str] = ["maria silva santos", "Rua das Flores 123", "joana d'arc"]


def _middle(value: str, inserted: str) -> str:
    half = len(value) // 2
    return value[:half] + inserted + value[half:]


def _fullwidth(value: str) -> str:
    return "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in value)


FORMS: dict[str, Callable[[str], str]] = {
    "plain": lambda v: v,
    "percent": lambda v: quote(v, safe=""),
    "percent-twice": lambda v: quote(quote(v, safe=""), safe=""),
    "nul": lambda v: _middle(v, "\x00"),
    "escape": lambda v: _middle(v, "\x1b"),
    "zero-width": lambda v: _middle(v, "\u200b"),
    "soft-hyphen": lambda v: _middle(v, "\u00ad"),
    "bidi": lambda v: _middle(v, "\u202e"),
    "fullwidth": _fullwidth,
    "upper": str.upper,
    "tab": lambda v: _middle(v, "\t"),
}
HEADER_FORMS = ("plain", "percent", "upper")
"""HTTP header values are bytes a client can send: no control characters."""
MULTILINE_FORMS = tuple(form for form in FORMS if form != "tab")
"""Messages and stacks keep tabs and line breaks (a documented limit): not planted there."""

# field name → (how the value is placed, the forms that make sense there)
Placement = Callable[[str], dict[str, object]]


def _envelope(key: str, template: str = "{}") -> Placement:
    return lambda v: {"envelope": {key: template.format(v)}}


def _event(event: dict[str, object]) -> Placement:
    def place(v: str) -> dict[str, object]:
        text = json.dumps(event).replace("{v}", json.dumps(v)[1:-1])
        filled = json.loads(text.replace("{u}", json.dumps(quote(v, safe=""))[1:-1]))
        return {"event": filled}

    return place


def _header(name: str, template: str) -> Placement:
    return lambda v: {"headers": {name: template.format(v)}}


ALL = tuple(FORMS)
FIELDS: dict[str, tuple[Placement, tuple[str, ...]]] = {
    "page url path": (_envelope("url", "https://loja.com.br/conta/{}/pedidos"), ALL),
    "page url query": (_envelope("url", "https://loja.com.br/busca?q={}&utm_source=google"), ALL),
    "page url utm value": (_envelope("url", "https://loja.com.br/?utm_content={}"), ALL),
    "referrer": (_envelope("ref", "https://www.google.com/search?q={}"), ALL),
    "route": (_envelope("route", "/conta/{}/pedidos"), ALL),
    "release": (_envelope("ver", "{}"), ALL),
    "environment": (_envelope("env", "{}"), ALL),
    "request id": (_envelope("rid", "{}"), ALL),
    "ray id": (_envelope("ray", "{}"), ALL),
    "snippet version": (_envelope("sv", "{}"), ALL),
    "page view id": (_envelope("pv", "{}"), ALL),
    "session id": (_envelope("sid", "{}"), ALL),
    "user hash": (_envelope("uh", "{}"), ALL),
    "site": (_envelope("site", "{}"), ALL),
    "error message": (
        _event({"t": "error", "msg": "Falha ao enviar pedido de {v}"}),
        MULTILINE_FORMS,
    ),
    "error message url": (
        _event(
            {"t": "error", "msg": "Failed to fetch https://api.loja.com.br/v2(beta)/c?q={v}&x=1"}
        ),
        MULTILINE_FORMS,
    ),
    "error stack": (
        _event(
            {
                "t": "error",
                "msg": "TypeError",
                "stack": "Error: conta {v} bloqueada\n    at pay (https://loja.com.br/app.js?u={u}:10:5)"
                "\n    at https://loja.com.br/conta/{u}/pedidos:1:2",
            }
        ),
        MULTILINE_FORMS,
    ),
    "error file": (
        _event({"t": "error", "msg": "x", "file": "https://loja.com.br/conta/{v}/app.js"}),
        ALL,
    ),
    "error type": (_event({"t": "error", "msg": "x", "type": "Error {v}"}), ALL),
    "error fingerprint": (_event({"t": "error", "msg": "x", "fp": "{v}"}), ALL),
    "metric id": (_event({"t": "web_vital", "name": "LCP", "v": 1200, "id": "{v}"}), ALL),
    "attribution value": (
        _event(
            {
                "t": "web_vital",
                "name": "LCP",
                "v": 1200,
                "id": "v5-1",
                "attr": {"element": "#cliente {v}"},
            }
        ),
        ALL,
    ),
    "attribution url": (
        _event(
            {
                "t": "web_vital",
                "name": "LCP",
                "v": 1200,
                "id": "v5-1",
                "attr": {"url": "https://loja.com.br/perfil/{v}/foto.jpg?dono={u}"},
            }
        ),
        ALL,
    ),
    "attribution key": (
        _event({"t": "web_vital", "name": "LCP", "v": 1200, "id": "v5-1", "attr": {"{v}": "a"}}),
        ALL,
    ),
    "event name": (_event({"t": "event", "name": "lead {v}"}), ALL),
    "event attribute value": (
        _event({"t": "event", "name": "lead", "attrs": {"contact": "{v}"}}),
        ALL,
    ),
    "event attribute key": (_event({"t": "event", "name": "lead", "attrs": {"{v}": "1"}}), ALL),
    "event label value": (
        _event({"t": "event", "name": "lead", "labels": {"contact": "{v}"}}),
        ALL,
    ),
    "event label key": (_event({"t": "event", "name": "lead", "labels": {"{v}": "a"}}), ALL),
    "user agent app name": (
        _header("user-agent", "{}/5.2 CFNetwork/1410.0.3 Darwin/22.6.0"),
        HEADER_FORMS,
    ),
    "user agent product": (
        _header(
            "user-agent",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Mobile/15E148 {}/1.0",
        ),
        HEADER_FORMS,
    ),
}
SECRET_FIELDS = (
    "page url path",
    "route",
    "error message",
    "error stack",
    "attribution value",
    "event name",
    "event attribute value",
    "event label value",
    "release",
)
QUERY_FIELDS: dict[str, Placement] = {
    "page url query": _envelope("url", "https://loja.com.br/busca?q={}&utm_source=google"),
    "referrer": _envelope("ref", "https://www.google.com/search?q={}"),
    "error message url": _event(
        {"t": "error", "msg": "Failed to fetch https://api.loja.com.br/v2(beta)/c?q={v}&x=1"}
    ),
    "error stack": _event(
        {"t": "error", "msg": "x", "stack": "Error\n    at f (https://loja.com.br/b.js?q={v}:1:2)"}
    ),
    "attribution url": _event(
        {"t": "web_vital", "name": "LCP", "v": 1, "id": "v5-1", "attr": {"url": "/a.jpg?q={v}"}}
    ),
}
"""Where search terms and names are dropped: query values only (in a path they stay)."""


def _cases() -> Iterator[dict[str, object]]:
    rotation = 0
    for field, (place, forms) in FIELDS.items():
        header = field.startswith("user agent")
        for kind, value in IDENTIFIERS:
            if header and kind in ("ip",):
                continue
            form = forms[rotation % len(forms)]
            rotation += 1
            yield {"field": field, "kind": kind, "form": form, "planted": [value]} | place(
                FORMS[form](value)
            )
        if field in SECRET_FIELDS:
            for text, secret in SECRETS:
                form = MULTILINE_FORMS[rotation % len(MULTILINE_FORMS)]
                rotation += 1
                yield {"field": field, "kind": "secret", "form": form, "planted": [secret]} | place(
                    FORMS[form](text) if form in ("plain", "percent") else text
                )
        if field in QUERY_FIELDS:
            for value in QUERY_VALUES:
                yield {
                    "field": field,
                    "kind": "query value",
                    "form": "plus",
                    "planted": [value],
                } | (QUERY_FIELDS[field](quote(value, safe="").replace("%20", "+")))


def main() -> int:
    lines = [json.dumps(case, ensure_ascii=False, sort_keys=True) for case in _cases()]
    CASES.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} cases written to {CASES.relative_to(HERE.parents[2])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
