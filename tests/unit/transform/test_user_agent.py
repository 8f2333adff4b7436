"""User-Agent enrichment: names as the libraries give them, five device types, bots flagged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import user_agents

from rum_server.transform.user_agent import (
    CACHE_SIZE,
    DEVICE_TYPES,
    MAX_USER_AGENT_LENGTH,
    UNKNOWN_CLIENT,
    ClientInfo,
    _named,
    cache_info,
    known_families,
    load_rules,
    parse_user_agent,
)

CORPUS = Path(__file__).parents[2] / "data" / "user-agents.txt"
CORPUS_LINES = CORPUS.read_text(encoding="utf-8").splitlines()

WELL_KNOWN = [
    (
        "Chrome desktop Windows",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        ClientInfo("Chrome", "131.0.0", "Windows", "10", "desktop"),
    ),
    (
        "Chrome desktop macOS",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        ClientInfo("Chrome", "131.0.0", "Mac OS X", "10.15.7", "desktop"),
    ),
    (
        "Safari desktop macOS",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/18.1 Safari/605.1.15",
        ClientInfo("Safari", "18.1", "Mac OS X", "10.15.7", "desktop"),
    ),
    (
        "Firefox desktop Linux",
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        ClientInfo("Firefox", "133.0", "Linux", "", "desktop"),
    ),
    (
        "Edge desktop Windows",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70",
        ClientInfo("Edge", "131.0.2903", "Windows", "10", "desktop"),
    ),
    (
        "Chrome on ChromeOS",
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        ClientInfo("Chrome", "131.0.0", "Chrome OS", "14541.0.0", "desktop"),
    ),
    (
        "Safari iPhone",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        ClientInfo("Mobile Safari", "17.5", "iOS", "17.5", "mobile"),
    ),
    (
        "Chrome iPhone",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
        ClientInfo("Chrome Mobile iOS", "131.0.6778", "iOS", "17.5", "mobile"),
    ),
    (
        "Instagram in-app browser iPhone",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Mobile/15E148 Instagram 357.0.0.25.101 (iPhone15,3; iOS 17_5; "
        "en_US; en; scale=3.00; 1290x2796; 666036123)",
        ClientInfo("Instagram", "357.0.0", "iOS", "17.5", "mobile"),
    ),
    (
        "Safari iPad",
        "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/16.6 Mobile/15E148 Safari/604.1",
        ClientInfo("Mobile Safari", "16.6", "iOS", "16.6", "tablet"),
    ),
    (
        "Chrome Android phone (reduced UA)",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36",
        ClientInfo("Chrome Mobile", "131.0.0", "Android", "10", "mobile"),
    ),
    (
        "Samsung Internet phone",
        "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 "
        "(KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
        ClientInfo("Samsung Internet", "26.0", "Android", "14", "mobile"),
    ),
    (
        "Firefox Android phone",
        "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0",
        ClientInfo("Firefox Mobile", "133.0", "Android", "14", "mobile"),
    ),
    (
        "Chrome on a Samsung tablet (no 'Mobile')",
        "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        ClientInfo("Chrome", "131.0.0", "Android", "13", "tablet"),
    ),
    (
        "Samsung Internet tablet",
        "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-X710) AppleWebKit/537.36 "
        "(KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Safari/537.36",
        ClientInfo("Samsung Internet", "26.0", "Android", "13", "tablet"),
    ),
    (
        "Kindle Fire",
        "Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Silk/131.3.1 like Chrome/131.0.6778.200 Safari/537.36",
        ClientInfo("Amazon Silk", "131.3.1", "Android", "9", "tablet"),
    ),
    (
        "Googlebot",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        ClientInfo("Googlebot", "2.1", "Other", "", "bot"),
    ),
    (
        "Googlebot smartphone (renders pages, so it sends beacons)",
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 "
        "(compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        ClientInfo("Googlebot", "2.1", "Android", "6.0.1", "bot"),
    ),
    (
        "bingbot",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        ClientInfo("bingbot", "2.0", "Other", "", "bot"),
    ),
    (
        "AhrefsBot",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        ClientInfo("AhrefsBot", "7.0", "Other", "", "bot"),
    ),
    (
        "YandexBot",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        ClientInfo("YandexBot", "3.0", "Other", "", "bot"),
    ),
    (
        "GPTBot",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
        "+https://openai.com/gptbot)",
        ClientInfo("GPTBot", "1.2", "Other", "", "bot"),
    ),
    (
        "facebookexternalhit",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        ClientInfo("FacebookBot", "1.1", "Other", "", "bot"),
    ),
    (
        "Applebot (its bot token lies past the generic Spider rule's 100 characters)",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 "
        "(Applebot/0.1; +http://www.apple.com/go/applebot)",
        ClientInfo("Applebot", "0.1", "Mac OS X", "10.15.5", "bot"),
    ),
    (
        "PageSpeed Insights / Lighthouse lab run",
        "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
        ClientInfo("Chrome Mobile", "131.0.0", "Android", "11", "bot"),
    ),
    (
        "HeadlessChrome stays what the libraries say",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/131.0.0.0 Safari/537.36",
        ClientInfo("HeadlessChrome", "131.0.0", "Linux", "", "desktop"),
    ),
    (
        "curl (no snippet, not a crawler)",
        "curl/8.5.0",
        ClientInfo("curl", "8.5.0", "Other", "", "other"),
    ),
    (
        "python-requests",
        "python-requests/2.32.3",
        ClientInfo("Python Requests", "2.32", "Other", "", "other"),
    ),
    ("empty header", "", UNKNOWN_CLIENT),
    ("blank header", "   ", UNKNOWN_CLIENT),
    ("unrecognised token", "Mozilla/5.0", UNKNOWN_CLIENT),
]


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [pytest.param(ua, expected, id=name) for name, ua, expected in WELL_KNOWN],
)
def test_well_known_user_agents(user_agent: str, expected: ClientInfo) -> None:
    assert parse_user_agent(user_agent) == expected


def test_unknown_client_is_what_an_empty_header_parses_to() -> None:
    assert ClientInfo("Other", "", "Other", "", "other") == UNKNOWN_CLIENT


@pytest.mark.parametrize(
    "garbage",
    [
        "\x00\x01\x02",
        "\ud800 lone surrogate",
        "Mozilla/5.0 (" * 50,
        "é" * 600,
        ")" * 10_000,
        "Mozilla/5.0 (compatible; Googlebot/2.1)" + " " * 5_000 + "x",
    ],
)
def test_odd_headers_never_raise(garbage: str) -> None:
    assert parse_user_agent(garbage).device_type in DEVICE_TYPES


def test_a_non_string_gives_the_unknown_client() -> None:
    assert parse_user_agent(None) == UNKNOWN_CLIENT  # type: ignore[arg-type]


def test_absurdly_long_headers_are_cut_before_parsing() -> None:
    googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    padded = googlebot + " " + "A" * (MAX_USER_AGENT_LENGTH - len(googlebot) - 1)
    assert len(padded) == MAX_USER_AGENT_LENGTH
    tail_pretending_to_be_safari = " Version/17.5 Mobile/15E148 Safari/604.1 iPhone" * 200

    assert parse_user_agent(padded + tail_pretending_to_be_safari) == parse_user_agent(padded)
    assert parse_user_agent(padded).browser_name == "Googlebot"


def test_the_cache_is_bounded_and_keyed_on_the_cut_header() -> None:
    assert cache_info().maxsize == CACHE_SIZE
    assert cache_info().currsize <= CACHE_SIZE

    long_header = "X" * MAX_USER_AGENT_LENGTH
    parse_user_agent(long_header + "first tail")
    hits = cache_info().hits
    parse_user_agent(long_header + "another tail")
    assert cache_info().hits == hits + 1


def test_load_rules_names_the_resolver_in_use() -> None:
    assert load_rules() in {"ua_parser.regex", "ua_parser.re2", "ua_parser.basic"}


def test_repeated_headers_come_from_the_cache() -> None:
    user_agent = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"
    first = parse_user_agent(user_agent)
    hits = cache_info().hits
    assert parse_user_agent(user_agent) is first
    assert cache_info().hits == hits + 1


def test_the_corpus_parses_into_the_five_device_types() -> None:
    assert len(CORPUS_LINES) > 2_000
    seen = {parse_user_agent(line).device_type for line in CORPUS_LINES}
    assert seen == set(DEVICE_TYPES)


CRAWLER_TOKENS = re.compile(
    r"Googlebot|bingbot|YandexBot|Baiduspider|facebookexternalhit|SemrushBot|PetalBot|GPTBot"
    r"|Slurp|ia_archiver|CCBot|AdsBot-Google|Twitterbot|LinkedInBot|SeznamBot|BLEXBot"
    r"|DotBot|rogerbot|msnbot"
)


def test_known_crawlers_in_the_corpus_are_bots() -> None:
    crawler_lines = [line for line in CORPUS_LINES if CRAWLER_TOKENS.search(line)]
    assert len(crawler_lines) >= 40
    not_bots = [line for line in crawler_lines if parse_user_agent(line).device_type != "bot"]
    assert not_bots == []


def _reference_device_type(reference: user_agents.parsers.UserAgent) -> str:
    if reference.is_bot:
        return "bot"
    if reference.is_tablet:
        return "tablet"
    if reference.is_mobile:
        return "mobile"
    return "desktop" if reference.is_pc else "other"


def test_names_and_device_types_agree_with_user_agents_over_the_corpus() -> None:
    """The v1 path is a faithful stand-in for ``user_agents.parse``; it only adds bots, and
    names a browser the rules cannot name by themselves ``Other``."""
    disagreements: list[tuple[str, object, object]] = []
    for line in CORPUS_LINES:
        reference = user_agents.parse(line)
        ours = parse_user_agent(line)
        names = (ours.browser_name, ours.browser_version, ours.os_name, ours.os_version)
        reference_names = (
            reference.browser.family,
            reference.browser.version_string,
            reference.os.family,
            reference.os.version_string,
        )
        unknown_name = ours.browser_name == "Other" and ours.browser_version == ""
        browser_differs = names[:2] != reference_names[:2] and not unknown_name
        if names[2:] != reference_names[2:] or browser_differs:
            disagreements.append((line, names, reference_names))
        if ours.device_type != "bot" and ours.device_type != _reference_device_type(reference):
            disagreements.append((line, ours.device_type, _reference_device_type(reference)))
    assert disagreements == []


def test_only_crawler_families_and_lab_tools_become_extra_bots() -> None:
    """Where user-agents says it is no bot, we agree unless the browser family names a crawler.

    The one exception allowed is the Rust resolver's looser reading of uap-core's
    generic Spider rule (it does not stop at 100 characters), when installed.
    """
    extra_bots = [
        line
        for line in CORPUS_LINES
        if parse_user_agent(line).device_type == "bot" and not user_agents.parse(line).is_bot
    ]
    families = {parse_user_agent(line).browser_name for line in extra_bots}
    unexplained = {family for family in families if not re.search("bot|crawl|spider", family, re.I)}
    assert unexplained <= {"Web-sniffer", "Other"}
    assert {"PingdomBot", "msnbot", "PHPCrawl", "RSScrawler", "SSL-Crawler"} <= families


@pytest.mark.parametrize(
    "header",
    [
        "maria.silva@example.com/5.2 CFNetwork/1410.0.3 Darwin/22.6.0",
        "4111111111111111/1.0 CFNetwork/1410.0.3 Darwin/22.6.0",
        "Maria Silva 11912345678/3.1 CFNetwork/1220.1 Darwin/20.3.0",
        "Mozilla/5.0 (Linux; Android 14) ana%40x.com/2.0",
    ],
)
def test_names_copied_from_the_header_are_never_stored(header: str) -> None:
    client = parse_user_agent(header)
    for name in (client.browser_name, client.os_name):
        assert name in ("Other", "iOS", "Android", "Mac OS X", "Linux")
    assert "@" not in client.browser_version and "1111" not in client.browser_version


def test_known_families_come_from_the_rules_themselves() -> None:
    browsers, oses = known_families()
    assert {"Chrome", "Chrome Mobile", "Mobile Safari", "Firefox", "Edge", "WhatsApp"} <= browsers
    assert {"Windows", "iOS", "Android", "Mac OS X", "Linux"} <= oses
    assert not any("@" in name or re.search(r"\d{5}", name) for name in browsers | oses)


@pytest.mark.parametrize(
    ("version", "kept"),
    [("131.0.6778", "131.0.6778"), ("XP", "XP"), ("3.0b2", "3.0b2"), ("4111111111111111.0", "")],
)
def test_versions_keep_only_short_parts(version: str, kept: str) -> None:
    assert _named("Chrome", version, frozenset({"Chrome"})) == ("Chrome", kept)
