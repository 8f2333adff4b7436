r"""Browser, OS and device class from a User-Agent header.

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

Names are only ever the rules' own: some rules copy the family out of the header
(``^(.*)/(\d+).*CFNetwork`` names an app after whatever precedes its version), so a
header like ``maria.silva@example.com/5.2 CFNetwork/…`` would name the "browser"
after an email. A family is stored only when the rules can produce it by themselves
(their fixed replacements, and every string their capture groups can match when
that is a finite list), or when it is one of the common names such open rules gave on
17,816 real headers (``_SEEN_FAMILIES``), or a crawler's name of letters only
(``AhrefsBot``); any other becomes ``Other`` with no version. Versions keep at most
four short parts of at most six digits each.
"""

from __future__ import annotations

import functools
import itertools
import re
import re._constants as regex_constants  # type: ignore[import-not-found]
import re._parser as regex_parser  # type: ignore[import-not-found]
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

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
    known_families()
    return type(_parser().resolver).__module__


_SEEN_FAMILIES = frozenset(
    (
        *("AdsBot-Google", "Apexoo Spider", "App", "AspiegelBot", "Automattic Analytics Crawler"),
        *("BabalooSpider", "Baiduspider", "BingPreview", "Boto3", "CCBot", "CazoodleBot"),
        *("Comodo Spider", "Comodo-Webinspector-Crawler", "DotBot", "Ex-Crawler", "GPTBot"),
        *("FAST-WebCrawler", "Genieo", "Gigabot", "GoGuidesBot", "Google-InspectionTool"),
        *("Googlebot-Mobile", "Huaweisymantecspider", "ICC-Crawler", "IRLbot", "InternetArchive"),
        *("Mail.RU_Bot", "Mediapartners-Google", "Microsoft-CryptoAPI", "MobileRSSFree", "MyApp"),
        *("NewsGator", "NimbleCrawler", "OpenWebSpider", "PetalBot", "ReactorNetty", "Reaper"),
        *("RedCarpet", "Sangfor Spider", "ScollSpider", "Scrapy", "Screaming Frog SEO Spider"),
        *("SearchSpider", "Slurp", "Sogou Pic Spider", "Sosoimagespider", "Sosospider"),
        *("TestApp", "TurnitinBot", "URLfilterDB-crawler", "Vagabondo", "WIRE", "WebAlta Crawler"),
        *("WebThumb", "Wget", "WhatsApp", "Windows-Update-Agent", "WordPress", "Wotbox"),
        *("XSpider", "Xenu Link Sleuth", "Yahoo! Slurp", "Yahoo-MMCrawler", "Yelp", "Yeti"),
        *("YoudaoBot", "ZyBorg", "aws-sdk-go", "aws-sdk-go-v2", "aws-sdk-java", "crawler"),
        *("boitho.com-dc", "curl", "heritrix", "holmes", "iaskspider", "ichiro", "ichiro/mobile"),
        *("magpie-crawler", "msnbot", "msnbot-media", "semanticdiscovery", "urlgrabber"),
        *("voyager", "Panasonic", "Sony"),
    )
)
"""Names open rules (``(.*)``) gave on real headers: products, never a person's data."""

_CRAWLER_NAME = re.compile(r"[A-Z][A-Za-z-]{1,30}(?:[Bb]ot|[Ss]pider|[Cc]rawl(?:er)?)")
"""What uap-core's generic crawler rule names (``AhrefsBot``): a capitalised word, letters
only, so it can hold no email, number or token."""

_MAX_ALTERNATIVES = 512
_VERSION_PART = re.compile(r"[A-Za-z]{0,8}\d{0,6}[A-Za-z]{0,8}\d{0,3}")
"""``131``, ``XP``, ``b4``, ``update1``: never a run of digits long enough for a phone."""


class _Unbounded(Exception):
    """A capture group matches more strings than can be listed."""


def _strings(items: Iterable[tuple[Any, Any]]) -> list[str]:
    """Every string a parsed regex (``re._parser``) matches; raises :class:`_Unbounded`."""
    results = [""]
    for op, arg in items:
        if op is regex_constants.LITERAL:
            options = [chr(arg)]
        elif op is regex_constants.IN and all(o is regex_constants.LITERAL for o, _ in arg):
            options = [chr(a) for _, a in arg]
        elif op is regex_constants.SUBPATTERN:
            options = _strings(arg[3])
        elif op is regex_constants.BRANCH:
            options = [text for branch in arg[1] for text in _strings(branch)]
        elif op is regex_constants.MAX_REPEAT and arg[1] <= 3:
            inner = _strings(arg[2])
            options = [
                "".join(parts)
                for count in range(arg[0], arg[1] + 1)
                for parts in itertools.product(inner, repeat=count)
            ]
        elif op is regex_constants.AT:
            options = [""]
        else:
            raise _Unbounded
        results = [head + tail for head in results for tail in options]
        if len(results) > _MAX_ALTERNATIVES:
            raise _Unbounded
    return results


def _first_group(items: Iterable[tuple[Any, Any]]) -> Any:
    """The parsed body of capture group 1, wherever it is nested."""
    for op, arg in items:
        if op is regex_constants.SUBPATTERN and arg[0] == 1:
            return arg[3]
        nested: Sequence[Any] = ()
        if op is regex_constants.SUBPATTERN:
            nested = [arg[3]]
        elif op is regex_constants.BRANCH:
            nested = arg[1]
        elif op in (regex_constants.MAX_REPEAT, regex_constants.MIN_REPEAT):
            nested = [arg[2]]
        for sub in nested:
            if (found := _first_group(sub)) is not None:
                return found
    return None


def _families(matchers: Iterable[Any]) -> frozenset[str]:
    """The names a list of rules can give without copying text from the header."""
    names: set[str] = set()
    for matcher in matchers:
        template = matcher.family
        if template and "$1" not in template:
            names.add(template)
            continue
        group = _first_group(regex_parser.parse(matcher.regex))
        try:
            captured = _strings(group) if group is not None else []
        except _Unbounded:
            continue
        names.update(template.replace("$1", text) if template else text for text in captured)
    return frozenset(names)


@functools.cache
def known_families() -> tuple[frozenset[str], frozenset[str]]:
    """(browser, OS) names that may be stored; built once from the rules (~0.1 s)."""
    browsers, oses, _ = ua_parser.load_lazy_builtins()
    return _families(browsers) | _SEEN_FAMILIES, _families(oses) | _SEEN_FAMILIES


def _named(family: object, version: object, known: frozenset[str]) -> tuple[str, str]:
    """(family, version) when the family is known, else ("Other", "")."""
    name = str(family)
    if name not in known and not _CRAWLER_NAME.fullmatch(name):
        return "Other", ""
    parts: list[str] = []
    for part in str(version).split(".")[:4]:
        if not part or not _VERSION_PART.fullmatch(part):
            break
        parts.append(part)
    return name, ".".join(parts)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _parse_bounded(user_agent: str) -> ClientInfo:
    if not user_agent:
        return UNKNOWN_CLIENT
    try:
        rules = _RulesOverResult(user_agent, _parser().parse(user_agent).with_defaults())
        browsers, oses = known_families()
        browser_name, browser_version = _named(
            rules.browser.family, rules.browser.version_string, browsers
        )
        os_name, os_version = _named(rules.os.family, rules.os.version_string, oses)
        return ClientInfo(
            browser_name=browser_name,
            browser_version=browser_version,
            os_name=os_name,
            os_version=os_version,
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
