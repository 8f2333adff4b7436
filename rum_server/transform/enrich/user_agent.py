"""Browser, OS and device class from a User-Agent header.

Parsing uses ua-parser's rules (uap-core) and user-agents' device rules
(``is_bot``, ``is_tablet``, ``is_mobile``, ``is_pc``), so names are the ones
those libraries give: browsers such as ``Chrome``, ``Chrome Mobile``,
``Chrome Mobile iOS``, ``Mobile Safari``, ``Safari``, ``Firefox``, ``Edge``,
``Samsung Internet``, ``Googlebot``; OSes such as ``Windows``, ``Mac OS X``,
``iOS``, ``Android``, ``Linux``; ``Other`` when nothing matched. Versions are
``major.minor.patch`` as far as known, else ``""``. The device type is one of
``bot`` (crawlers and lab tools, see ``_device_type``), ``tablet``, ``mobile``,
``desktop`` or ``other`` (unknown, and HTTP tools such as curl that run no
snippet but are not flagged as crawlers by the rules).

user-agents' own constructor calls ua-parser's legacy pure-Python API (0.6 to
1 ms per new string). We feed its device rules from ua-parser's v1 API
instead, which picks the fastest resolver installed: the same results with
the pure-Python resolver, and 20 to 30 times faster with ``ua-parser[regex]``
(the ua-parser-rs accelerator, which reads uap-core's generic crawler rule a
little more loosely, so a few more crawlers come out as bots). Results are
cached per distinct string, since real traffic repeats a few strings very
often (``bench/bench_enrich.py`` measures all three costs).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

import ua_parser
from user_agents.parsers import (
    UserAgent,
    parse_browser,
    parse_device,
    parse_operating_system,
)

DeviceType = Literal["desktop", "mobile", "tablet", "bot", "other"]
DEVICE_TYPES: tuple[DeviceType, ...] = ("desktop", "mobile", "tablet", "bot", "other")

MAX_USER_AGENT_LENGTH = 512
"""Longer headers are cut before parsing: real ones are under 500 characters."""

CACHE_SIZE = 8192
"""Distinct strings kept parsed; at most ~4 MB with strings cut to 512 characters."""


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """What the rows say about the client (``rum.browser.*``, ``rum.os.*``, ``rum.device.type``)."""

    browser_name: str
    browser_version: str
    os_name: str
    os_version: str
    device_type: DeviceType


UNKNOWN_CLIENT = ClientInfo("Other", "", "Other", "", "other")
"""What an empty or unparseable header gives (the same as ua-parser's no-match)."""


class _RulesOverResult(UserAgent):  # type: ignore[misc]  # user-agents ships no types
    """user-agents' device rules over a v1 result; mirrors ``UserAgent.__init__``."""

    def __init__(self, user_agent: str, result: ua_parser.DefaultedResult) -> None:
        browser, os, device = result.user_agent, result.os, result.device
        self.ua_string = user_agent
        self.browser = parse_browser(browser.family, browser.major, browser.minor, browser.patch)
        self.os = parse_operating_system(os.family, os.major, os.minor, os.patch)
        self.device = parse_device(device.family, device.brand, device.model)


_CRAWLER_FAMILY = re.compile(r"bot|crawl|spider", re.IGNORECASE)
"""uap-core names crawlers this way, but flags only some of them as Spider devices
(its generic rule looks at the first 100 characters: Applebot, msnbot, PingdomBot slip)."""

_LAB_MARKERS = ("Chrome-Lighthouse",)
"""Lab runs (PageSpeed Insights, Lighthouse CI) throttle CPU and network on purpose:
counted as real users they would drag a small site's p75 down."""


def _device_type(rules: UserAgent) -> DeviceType:
    """Bots first (the storage contract flags them), then tablet before mobile.

    A bot is what user-agents calls one, plus crawler-named browser families
    and lab tools; HeadlessChrome stays what the libraries say (desktop).
    """
    if (
        rules.is_bot
        or _CRAWLER_FAMILY.search(rules.browser.family)
        or any(marker in rules.ua_string for marker in _LAB_MARKERS)
    ):
        return "bot"
    if rules.is_tablet:
        return "tablet"
    if rules.is_mobile:
        return "mobile"
    if rules.is_pc:
        return "desktop"
    return "other"


@functools.cache
def _parser() -> ua_parser.Parser:
    """ua-parser's best installed resolver, as its global parser picks it, minus that
    parser's own cache: ours sits in front and is larger, so a second one only costs."""
    accelerated = ua_parser.RegexResolver is not None or ua_parser.Re2Resolver is not None
    matchers = ua_parser.load_lazy_builtins() if accelerated else ua_parser.load_builtins()
    return ua_parser.Parser(ua_parser.BestAvailableResolver(matchers))


def load_rules() -> str:
    """Load the parsing rules now (~0.1 s) rather than on the first request.

    Returns the resolver's name (``ua_parser.regex`` is the Rust accelerator,
    ``ua_parser.basic`` the pure-Python fallback) for the start-up log.
    """
    return type(_parser().resolver).__module__


@functools.lru_cache(maxsize=CACHE_SIZE)
def _parse_bounded(user_agent: str) -> ClientInfo:
    if not user_agent:
        return UNKNOWN_CLIENT
    try:
        rules = _RulesOverResult(user_agent, _parser().parse(user_agent).with_defaults())
        return ClientInfo(
            browser_name=str(rules.browser.family),
            browser_version=str(rules.browser.version_string),
            os_name=str(rules.os.family),
            os_version=str(rules.os.version_string),
            device_type=_device_type(rules),
        )
    except Exception:  # a parser bug must not cost the batch: the client is just unknown
        return UNKNOWN_CLIENT


def parse_user_agent(user_agent: str) -> ClientInfo:
    """The client behind a User-Agent header; never raises.

    The header is trimmed and cut to ``MAX_USER_AGENT_LENGTH`` before the
    cache lookup, so the cache's memory stays bounded whatever clients send.
    """
    if not isinstance(user_agent, str):
        return UNKNOWN_CLIENT
    return _parse_bounded(user_agent.strip()[:MAX_USER_AGENT_LENGTH])


cache_info = _parse_bounded.cache_info
"""Hits, misses and size of the parse cache (for tests and metrics)."""

cache_clear = _parse_bounded.cache_clear
"""Empty the parse cache (for benchmarks of the uncached cost)."""
