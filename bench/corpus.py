"""A realistic beacon corpus: a seed and this generator, so every run posts the same bodies.

What makes it realistic (each choice is a knob below, and the doc prints what
the corpus came out as):

- 1 to 30 events per beacon. Most beacons are one page view's page-hide batch
  (the page view, its vitals, a few custom events); some page views send an
  early and a late beacon; a few carry error storms or long shopping sessions.
- Storefront proportions per page view: every vital at its real reporting rate
  (INP only after an interaction), ~1.6 custom events, errors on ~12% of views.
- Thousands of distinct User-Agents in a Zipf mix: current browsers first, then
  the 17,816 real strings of ``shared/data/user-agents.txt`` (or the 2,905 of
  ``tests/data/user-agents.txt`` where the shared copy is absent).
- Long-tail URLs, routes, query strings, search terms and error messages (some
  with e-mails, CPFs and tokens to redact), so the server's caches hit as often
  as they would in production, not always.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
UA_FILES = (
    REPO.parent / "shared" / "data" / "user-agents.txt",
    Path("/work/shared/data/user-agents.txt"),
    REPO / "tests" / "data" / "user-agents.txt",
)
SEED = 20261201
BASE_MS = 1_764_547_200_000.0  # the clients' clock; the server corrects skew per batch
ZIPF_UA = 1.05
ZIPF_TAIL = 1.1

COMMON_USER_AGENTS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 "
    "(compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
)
"""Current browsers (and the crawler every store sees), most popular first."""

WORDS = [
    "camiseta",
    "polo",
    "azul",
    "vestido",
    "longo",
    "floral",
    "tenis",
    "corrida",
    "preto",
    "calca",
    "jeans",
    "slim",
    "bolsa",
    "couro",
    "marrom",
    "sandalia",
    "rasteira",
    "branca",
    "jaqueta",
    "bomber",
    "verde",
    "saia",
    "midi",
    "plissada",
    "blusa",
    "seda",
    "rosa",
    "short",
    "linho",
    "bege",
    "moletom",
    "capuz",
    "cinza",
    "bone",
    "aba",
    "reta",
    "meia",
    "cano",
    "alto",
    "kit",
    "infantil",
    "body",
    "bebe",
    "oculos",
    "sol",
    "relogio",
    "digital",
    "mochila",
    "escolar",
    "carteira",
    "feminina",
    "cinto",
    "masculino",
    "pijama",
]
CATEGORIES = [
    "feminino",
    "masculino",
    "infantil",
    "calcados",
    "acessorios",
    "esporte",
    "praia",
    "inverno",
    "promocoes",
    "lancamentos",
    "outlet",
    "casa",
    "beleza",
]
SEARCH_TERMS = WORDS + [f"{a} {b}" for a in WORDS[:30] for b in WORDS[30:]]
CAMPAIGNS = [f"bf2026-{kind}-{n}" for kind in ("search", "social", "email") for n in range(120)]
CUSTOM_EVENTS = (  # (name, per page view)
    ("view_item", 0.55),
    ("select_item", 0.35),
    ("scroll_depth", 0.45),
    ("add_to_cart", 0.12),
    ("search", 0.10),
    ("begin_checkout", 0.03),
    ("purchase", 0.012),
)
VITALS = (("TTFB", 0.99), ("FCP", 0.97), ("LCP", 0.93), ("CLS", 0.88), ("INP", 0.55))
ERROR_TEMPLATES = (
    "Cannot read properties of undefined (reading '{prop}')",
    "Cannot read properties of null (reading '{prop}')",
    "{prop} is not defined",
    "Failed to fetch",
    "Script error.",
    "ResizeObserver loop completed with undelivered notifications.",
    "Load failed",
    "NetworkError when attempting to fetch resource https://shop.example/api/cart/{n}",
    "Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON",
    "Request failed for {email}: cart {n} is locked",
    "Invalid CPF {cpf} in checkout form",
    "TypeError: t.{prop} is not a function",
    "Minified React error #{n}; visit https://react.dev/errors/{n} for the full message",
)
PROPS = [
    f"{w}{s}"
    for w in ("price", "sku", "items", "cart", "user", "offer", "image", "seller")
    for s in ("", "Id", "List", "Data", "Info", "Total", "Url", "Name")
]
FILES = [
    f"https://shop.example/_frsh/js/{h:08x}/island-{w}.js"
    for h, w in zip(range(0x1A2B3C00, 0x1A2B3C00 + 40 * 7919, 7919), WORDS, strict=False)
]


@dataclass(frozen=True)
class Beacon:
    user_agent: str
    body: bytes
    events: int
    kinds: dict[str, int]


def user_agents() -> tuple[list[str], Path]:
    """The UA strings ranked by popularity: current browsers first, then the real tail."""
    for path in UA_FILES:
        if path.exists():
            tail = [line for line in path.read_text(encoding="utf-8").splitlines() if line]
            rng = random.Random(SEED)
            rng.shuffle(tail)
            return list(COMMON_USER_AGENTS) + tail, path
    raise FileNotFoundError("no user-agents.txt (looked in " + ", ".join(map(str, UA_FILES)) + ")")


def zipf_weights(n: int, exponent: float) -> list[float]:
    return [1 / rank**exponent for rank in range(1, n + 1)]


class _Picker:
    """Zipf-weighted choice over a ranked list (cumulative weights built once)."""

    def __init__(self, items: Sequence[object], exponent: float) -> None:
        self.items = list(items)
        weights = zipf_weights(len(self.items), exponent)
        total = 0.0
        self.cumulative = []
        for weight in weights:
            total += weight
            self.cumulative.append(total)

    def __call__(self, rng: random.Random) -> object:
        return rng.choices(self.items, cum_weights=self.cumulative)[0]


def _cpf(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(9)]
    for size in (9, 10):
        total = sum(d * w for d, w in zip(digits, range(size + 1, 1, -1), strict=False))
        digits.append((total * 10 % 11) % 10)
    text = "".join(map(str, digits))
    return f"{text[:3]}.{text[3:6]}.{text[6:9]}-{text[9:]}"


class Generator:
    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        agents, self.ua_source = user_agents()
        self.pick_ua = _Picker(agents, ZIPF_UA)
        slugs = [
            f"{a}-{b}-{c}-{n}"
            for n, (a, b, c) in enumerate(
                zip(WORDS * 200, WORDS[7:] * 200, WORDS[13:] * 200, strict=False)
            )
        ][:6000]
        self.pick_product = _Picker(slugs, ZIPF_TAIL)
        self.pick_category = _Picker(
            [f"{c}/{w}" for c in CATEGORIES for w in WORDS[:20]] + CATEGORIES, ZIPF_TAIL
        )
        self.pick_search = _Picker(SEARCH_TERMS, ZIPF_TAIL)
        self.pick_campaign = _Picker(CAMPAIGNS, ZIPF_TAIL)
        messages = []
        rng = random.Random(seed + 1)
        for _ in range(3000):
            template = rng.choice(ERROR_TEMPLATES)
            messages.append(
                template.format(
                    prop=rng.choice(PROPS),
                    n=rng.randrange(100, 99999),
                    email=f"{rng.choice(WORDS)}.{rng.randrange(99)}@example.com",
                    cpf=_cpf(rng),
                )
            )
        self.pick_message = _Picker(messages, ZIPF_TAIL)
        self.pick_file = _Picker(FILES, 1.0)

    def page(self) -> tuple[str, str]:
        """(route hint or "", URL) in storefront proportions."""
        rng = self.rng
        roll = rng.random()
        query = ""
        if rng.random() < 0.25:
            query = (
                f"?utm_source=google&utm_medium=cpc&utm_campaign={self.pick_campaign(rng)}"
                f"&gclid=Cj0KCQ{rng.getrandbits(64):016x}"
            )
        if roll < 0.42:
            slug = self.pick_product(rng)
            sku = f"skuId={rng.randrange(1, 40)}"
            query = f"{query}&{sku}" if query else f"?{sku}"
            return "/_products/$slug/p", f"https://shop.example/{slug}/p{query}"
        if roll < 0.70:
            page = (
                f"{'&' if query else '?'}page={rng.randrange(2, 9)}" if rng.random() < 0.3 else ""
            )
            return "/:category", f"https://shop.example/{self.pick_category(rng)}{query}{page}"
        if roll < 0.82:
            return "/", f"https://shop.example/{query}"
        if roll < 0.92:
            term = str(self.pick_search(rng)).replace(" ", "+")
            return "/s", f"https://shop.example/s?q={term}"
        if roll < 0.97:
            return "", "https://shop.example/checkout/cart"
        return "", f"https://shop.example/account/orders/{rng.randrange(10**12, 10**13)}-01"

    def events(self, started_ms: float) -> list[dict[str, object]]:
        """One page view's events: page_view, vitals, custom events, errors."""
        rng = self.rng
        ts = started_ms
        out: list[dict[str, object]] = [{"t": "page_view", "ts": ts}]
        for name, share in VITALS:
            if rng.random() >= share:
                continue
            value = {
                "TTFB": rng.lognormvariate(5.9, 0.6),
                "FCP": rng.lognormvariate(7.0, 0.5),
                "LCP": rng.lognormvariate(7.6, 0.55),
                "CLS": min(rng.expovariate(12), 5),
                "INP": rng.lognormvariate(5.2, 0.7),
            }[name]
            vital: dict[str, object] = {
                "t": "web_vital",
                "ts": ts + rng.uniform(50, 9000),
                "name": name,
                "v": round(min(value, 590_000), 4 if name == "CLS" else 1),
                "id": f"v5-{int(started_ms)}-{rng.getrandbits(40)}",
            }
            if name == "LCP" and rng.random() < 0.5:
                vital["attr"] = {
                    "element": "#gallery > img.main",
                    "url": f"https://cdn.shop.example/img/{rng.randrange(10**6)}.jpg",
                }
            out.append(vital)
        for name, share in CUSTOM_EVENTS:
            for _ in range(int(share) + (rng.random() < share % 1)):
                out.append(
                    {
                        "t": "event",
                        "ts": ts + rng.uniform(100, 60000),
                        "name": name,
                        "labels": {"category": rng.choice(CATEGORIES)},
                        "attrs": {
                            "sku": str(rng.randrange(10**5, 10**6)),
                            "price": f"{rng.uniform(9, 900):.2f}",
                        },
                    }
                )
        if rng.random() < 0.12:
            storm = rng.randrange(1, 3) if rng.random() < 0.9 else rng.randrange(5, 25)
            for _ in range(storm):
                frames = "\n".join(
                    f"    at {rng.choice(PROPS)} ({self.pick_file(rng)}:{rng.randrange(1, 900)}:"
                    f"{rng.randrange(1, 20000)})"
                    for _ in range(rng.randrange(2, 12))
                )
                message = str(self.pick_message(rng))
                out.append(
                    {
                        "t": "error",
                        "ts": ts + rng.uniform(0, 30000),
                        "msg": message,
                        "type": "TypeError",
                        "stack": f"TypeError: {message}\n{frames}",
                        "n": rng.randrange(1, 4),
                        "file": self.pick_file(rng),
                        "line": rng.randrange(1, 900),
                        "col": rng.randrange(1, 20000),
                    }
                )
        return out

    def beacons(self, count: int) -> list[Beacon]:
        rng = self.rng
        out: list[Beacon] = []
        while len(out) < count:
            ua = str(self.pick_ua(rng))
            route, url = self.page()
            started = BASE_MS + rng.uniform(0, 86_400_000)
            events = sorted(self.events(started), key=lambda e: float(e["ts"]))  # type: ignore[arg-type]
            # Some page views send an early beacon (pagehide on a soft nav, bfcache) and a late one.
            split = [events[:3], events[3:]] if len(events) > 6 and rng.random() < 0.2 else [events]
            session = f"s-{rng.getrandbits(48):012x}"
            view = f"pv-{rng.getrandbits(48):012x}"
            for part in split:
                for chunk in (part[i : i + 30] for i in range(0, len(part), 30)):
                    if not chunk:
                        continue
                    envelope = {
                        "v": 1,
                        "site": "bench-store",
                        "url": url,
                        "route": route,
                        "pv": view,
                        "sid": session,
                        "st": float(chunk[-1]["ts"]) + 5,
                        "sv": "0.1.0",  # type: ignore[arg-type]
                        "ver": "2026.11.30-abc123",
                        "env": "production",
                        "vp": rng.choice(("412x915", "390x844", "1920x1080", "1366x768")),
                        "conn": rng.choice(("4g", "4g", "4g", "3g", "")),
                        "nav": "navigate" if rng.random() < 0.9 else "back-forward-cache",
                        "events": chunk,
                    }
                    if rng.random() < 0.4:
                        envelope["ref"] = "https://www.google.com/"
                    kinds: dict[str, int] = {}
                    for event in chunk:
                        kinds[str(event["t"])] = kinds.get(str(event["t"]), 0) + 1
                    body = json.dumps(envelope, separators=(",", ":")).encode()
                    out.append(Beacon(ua, body, len(chunk), kinds))
        return out[:count]


def describe(beacons: Sequence[Beacon]) -> dict[str, object]:
    """What the corpus came out as, for the doc."""
    events = sum(b.events for b in beacons)
    kinds: dict[str, int] = {}
    for beacon in beacons:
        for kind, n in beacon.kinds.items():
            kinds[kind] = kinds.get(kind, 0) + n
    sizes = sorted(b.events for b in beacons)
    lengths = sorted(len(b.body) for b in beacons)
    messages = set()
    urls = set()
    for beacon in beacons:
        data = json.loads(beacon.body)
        urls.add(data["url"])
        messages.update(e["msg"] for e in data["events"] if e["t"] == "error")
    return {
        "beacons": len(beacons),
        "events": events,
        "events_per_beacon": {
            "min": sizes[0],
            "median": sizes[len(sizes) // 2],
            "mean": round(events / len(beacons), 2),
            "max": sizes[-1],
        },
        "body_bytes": {
            "median": lengths[len(lengths) // 2],
            "max": lengths[-1],
            "mean": round(sum(lengths) / len(lengths)),
        },
        "share_by_kind": {k: round(v / events, 3) for k, v in sorted(kinds.items())},
        "distinct_user_agents": len({b.user_agent for b in beacons}),
        "distinct_urls": len(urls),
        "distinct_error_messages": len(messages),
    }
