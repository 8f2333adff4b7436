"""The PII corpus through the real HTTP path into the real store: nothing planted is stored.

``tests/data/pii/cases.jsonl`` plants personal data in every client-controlled field
(envelope, events, keys, ids, the User-Agent header) in plain, encoded and obfuscated
forms. Every case is posted to the app; then every stored string column and every Map
key and value is scanned for each planted value, in the forms a reader could recover:
lower-cased, percent-decoded, without control or invisible characters, NFKC-folded,
and for numbers, digits only.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from litestar.testing import TestClient

from rum_server.app import create_app
from tests.conftest import REPO, make_settings, read_rows

CORPUS = REPO / "tests" / "data" / "pii"
CASES = [json.loads(line) for line in (CORPUS / "cases.jsonl").read_text().splitlines()]
TEXT = {"content-type": "text/plain;charset=UTF-8"}
INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
NUMERIC_KINDS = {"card", "cpf", "cnpj", "phone"}


def marker_key(case: dict[str, Any]) -> str:
    """The envelope field that tags a case's rows: the request id, or the ray id when the
    case plants its value in the request id."""
    return "ray" if "rid" in case.get("envelope", {}) else "rid"


def batch_for(case: dict[str, Any], index: int, now_ms: float) -> bytes:
    envelope: dict[str, Any] = {
        marker_key(case): f"case-{index}",
        "v": 1,
        "site": "loja",
        "url": "https://loja.com.br/p",
        "pv": "pv-corpus",
        "sid": "s-corpus",
        "st": now_ms,
    }
    envelope.update(case.get("envelope", {}))
    events: list[dict[str, Any]] = [{"t": "page_view", "ts": now_ms}]
    if "event" in case:
        events.append({"ts": now_ms, **case["event"]})
    return json.dumps({**envelope, "events": events}, ensure_ascii=False).encode()


def readable_forms(stored: str) -> set[str]:
    """What a reader could recover from a stored string."""
    decoded = stored
    for _ in range(3):
        decoded = unquote(decoded)
    cleaned = unicodedata.normalize("NFKC", INVISIBLE.sub("", decoded)).lower()
    return {stored.lower(), decoded.lower(), cleaned, cleaned.replace("+", " ")}


def needles(case: dict[str, Any]) -> list[tuple[str, bool]]:
    """(needle, digits only) for each planted value of a case."""
    found: list[tuple[str, bool]] = []
    for planted in case["planted"]:
        found.append((planted.lower(), False))
        if case["kind"] in NUMERIC_KINDS:
            found.append((re.sub(r"\D", "", planted), True))
    return found


def stored_strings(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(where, text) for every string column, Map key and Map value of every row."""
    strings: list[tuple[str, str]] = []
    for row in rows:
        for column, value in row.items():
            if isinstance(value, str):
                strings.append((column, value))
            elif isinstance(value, dict):
                for key, item in value.items():
                    strings.append((f"{column} key", str(key)))
                    strings.append((f"{column}[{key}]", str(item)))
    return strings


def case_of(row: dict[str, Any]) -> int:
    attributes = row.get("LogAttributes", {})
    for marker in (attributes.get("rum.request.id", ""), attributes.get("rum.cf_ray", "")):
        if re.fullmatch(r"case-\d+", marker):
            return int(marker.removeprefix("case-"))
    return -1


def leaks(rows: list[dict[str, Any]]) -> list[str]:
    """Every planted value found in its case's rows, as 'field / form / value in where'."""
    rows_of: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        rows_of.setdefault(case_of(row), []).append(row)
    found: set[str] = set()
    for index, case in enumerate(CASES):
        haystack = [
            (where, readable_forms(text), re.sub(r"\D", "", unicodedata.normalize("NFKC", text)))
            for where, text in stored_strings(rows_of.get(index, []))
        ]
        for needle, digits_only in needles(case):
            for where, forms, digits in haystack:
                hit = needle in digits if digits_only else any(needle in form for form in forms)
                if hit:
                    found.add(
                        f"{case['field']} / {case['form']} / {case['planted'][0]!r} in {where}"
                    )
    return sorted(found)


def test_the_corpus_has_at_least_300_cases_over_every_kind_of_field() -> None:
    assert len(CASES) >= 300
    fields = {case["field"] for case in CASES}
    for expected in ("page url path", "referrer", "route", "error stack", "attribution key"):
        assert expected in fields
    assert {"event label key", "page view id", "user hash", "user agent app name"} <= fields
    assert {"plain", "percent", "percent-twice", "nul", "zero-width", "fullwidth"} <= {
        case["form"] for case in CASES
    }


def test_the_committed_corpus_is_what_the_generator_writes(tmp_path: Path) -> None:
    before = (CORPUS / "cases.jsonl").read_bytes()
    subprocess.run([sys.executable, str(CORPUS / "generate.py")], check=True, capture_output=True)
    assert (CORPUS / "cases.jsonl").read_bytes() == before


@pytest.mark.parametrize("chunk", range(2))
def test_no_planted_value_reaches_any_stored_string_or_key(tmp_path: Path, chunk: int) -> None:
    settings = make_settings(tmp_path / "data")
    statuses: dict[int, int] = {}
    now_ms = time.time() * 1000
    with TestClient(app=create_app(settings)) as client:
        for index in range(chunk, len(CASES), 2):
            case = CASES[index]
            response = client.post(
                "/__deco/rum",
                content=batch_for(case, index, now_ms),
                headers={**TEXT, **case.get("headers", {})},
            )
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert response.status_code < 500, (case, response.text)
    rows = read_rows(settings)
    assert statuses.get(204, 0) + statuses.get(202, 0) >= len(CASES[chunk::2]) * 0.8, statuses
    assert len(rows) >= len(CASES[chunk::2]) * 0.8  # the page views at least were stored
    unmarked = [row["LogAttributes"] for row in rows if case_of(row) < 0]
    assert unmarked == []
    found = leaks(rows)
    assert found == [], f"{len(found)} planted values stored:\n" + "\n".join(found)


def test_the_scan_finds_a_planted_value_when_one_is_stored() -> None:
    """The scan is not vacuous: a value stored in any readable form is found."""
    email = next(
        i for i, case in enumerate(CASES) if case["planted"] == ["maria.silva@example.com"]
    )
    card = next(i for i, case in enumerate(CASES) if case["planted"] == ["4111 1111 1111 1111"])
    rows = [
        {
            "Body": "x",
            "LogAttributes": {
                "rum.request.id": f"case-{email}",
                "rum.event.attr.maria%2Esilva%40example%2Ecom": "1",
            },
        },
        {
            "LogAttributes": {
                "rum.request.id": f"case-{card}",
                "rum.route": "/c/4111\u200b 1111 1111 1111",
            }
        },
    ]
    found = leaks(rows)
    assert any("maria.silva@example.com" in leak and "LogAttributes key" in leak for leak in found)
    assert any("4111 1111 1111 1111" in leak for leak in found)
