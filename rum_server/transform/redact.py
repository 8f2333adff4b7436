"""PII redaction: pure functions the server applies to every client string before storage.

Why: URLs, error messages and stack traces written by shoppers' browsers carry personal
data (emails in query strings, CPFs typed into search boxes, tokens in reset links). The
snippet is not trusted to clean them; the server masks them here, once, with typed masks
(``[email]``, ``[cpf]`` ...) so analysts still see *that* something was there.

How: every string goes through :func:`redact` (the one entry point), which first
normalises it (invisible and control characters removed, percent-escapes decoded,
Unicode compatibility forms folded) so that detectors see what a reader would see, the
way Relay's PII rules look at the decoded value. Then small precompiled detectors run
one after the other, each only when a cheap
substring test says it could match; shapes that merely look alike (product ids,
timestamps, versions, ``app.js:12:345``) are told apart in Python with the real checks
(Luhn, CPF/CNPJ check digits, IP parsing). Every public function is total: any input
gives back a string, never an exception, and redacting twice changes nothing.
``docs/privacy.md`` is the user-facing description of these rules; keep both in step.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, NewType
from urllib.parse import quote, unquote

from rum_server.metrics import hooks

Redacted = NewType("Redacted", str)
"""A client-supplied string fit to store. Only this module makes one: :func:`redact` and
its wrappers, the ``clean_*`` id checks, and :func:`checked` for values that match a
closed alphabet in full (enum words, numbers). The row builder takes nothing else for a
stored value, so ``mypy --strict`` fails a change that sends a client string to a column
without redaction (the plan's redaction audit rule; tests/unit/transform/test_redaction_audit.py
proves mypy refuses a bypass)."""

CLOSED_WORD = re.compile(r"[A-Za-z0-9._:+-]{0,64}")
"""The alphabet of enum words, versions and numbers: no space, ``@``, ``/``, ``%`` or
``=``, so no free text, email, URL or ``key=secret`` fits in it."""

# -- masks -------------------------------------------------------------------------------

EMAIL = "[email]"
CARD = "[card]"
PHONE = "[phone]"
CPF = "[cpf]"
CNPJ = "[cnpj]"
JWT = "[jwt]"
TOKEN = "[token]"
IP = "[ip]"
REDACTION_FAILED = "[redacted]"
OVERFLOW = Redacted("(other)")
"""Stored instead of a custom-event label value past its key's daily budget."""
"""Stored instead of a string the redactor could not process (never expected)."""

# -- policy ------------------------------------------------------------------------------

DEFAULT_QUERY_ALLOWLIST: tuple[str, ...] = ("utm_*",)
"""Query keys whose values are kept (after PII masking). ``*`` at the end means a prefix.

Click ids (``gclid``, ``fbclid``) are left out on purpose: they identify one person's
click at the ad platform; the key alone (kept with an empty value) says the visit was paid.
"""


@dataclass(frozen=True, slots=True)
class RedactionPolicy:
    """Which query values survive redaction; matching is case-insensitive."""

    query_allowlist: tuple[str, ...] = DEFAULT_QUERY_ALLOWLIST
    _exact_keys: frozenset[str] = field(init=False, repr=False, compare=False, default=frozenset())
    _key_prefixes: tuple[str, ...] = field(init=False, repr=False, compare=False, default=())

    def __post_init__(self) -> None:
        entries = tuple(
            e.strip().lower() for e in self.query_allowlist if isinstance(e, str) and e.strip()
        )
        object.__setattr__(self, "query_allowlist", entries)
        object.__setattr__(
            self, "_exact_keys", frozenset(e for e in entries if not e.endswith("*"))
        )
        object.__setattr__(self, "_key_prefixes", tuple(e[:-1] for e in entries if e.endswith("*")))

    def keeps_value(self, key: str) -> bool:
        """True when the (decoded) query key's value is allow-listed."""
        lowered = key.strip().lower()
        return lowered in self._exact_keys or lowered.startswith(self._key_prefixes)


DEFAULT_POLICY = RedactionPolicy()

# -- detectors ---------------------------------------------------------------------------
# Each detector is compiled as one named outer group (so ``match.lastgroup`` names it);
# inner groups are prefixed with the detector's name. Lookbehinds anchor every
# alternative to the start of a word-ish run, which keeps the scan linear. The
# lookarounds treat ``]`` and ``[`` like letters so that a mask next to other text
# never creates a new match on a second pass (redaction is idempotent).

_SECRET_WORDS = (
    r"token|secret|passw(?:or)?d|passphrase|pwd|senha|session(?:[_-]?id)?|jsessionid|phpsessid"
    r"|sid|sig|signature|cookie|credentials?|auth|authorization|apikey|appkey"
)
"""Words that make a key secret-like (case-insensitive), alone or inside a compound key."""
_SECRET_KEY = (
    r"(?<![\w.\]-])(?:[A-Za-z0-9]{1,24}[_.-]){0,4}"  # compound prefix: aws_, X-VTEX-API-
    r"(?:(?:[A-Za-z0-9]{0,24}[a-z0-9](?=[A-Z]))?"  # camelCase prefix: accessToken, AppToken
    rf"(?i:{_SECRET_WORDS})"
    r"|(?:(?<=[_.-])|[A-Za-z0-9]{0,24}[a-z0-9](?=K))(?i:key))"  # key only compound: api_key
    r"(?![a-z])(?:[A-Z0-9][A-Za-z0-9]{0,24})?(?:[_.-][A-Za-z0-9]{1,24}){0,4}"  # suffix
)
"""A key such as ``password``, ``aws_secret_access_key``, ``accessToken``, ``X-API-Key``;
words that merely contain one (``design``, ``monkey``, ``tokens``) are not keys."""
_VALUE = r"[^\s\"'&,;<>(){}\[\]=][^\s\"'&,;<>(){}\[\]]*"

_DETECTORS = {
    "jwt": r"(?<![\]\w-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",
    "authz": (
        r"(?P<authz_key>(?<![\]A-Za-z0-9])(?i:proxy-authorization|authorization)[\"']?\s*[:=]\s*"
        r"[\"']?(?:(?i:bearer|basic|digest|token|negotiate)\s+)?)[^\s\"',;<>]{4,}"
    ),
    "bearer": r"(?P<bearer_key>(?<![\]\w-])(?i:bearer)\s+)[A-Za-z0-9._~+/=-]{8,}",
    "basic": r"(?P<basic_key>(?<![\]\w-])Basic\s+)[A-Za-z0-9+/]{8,}={0,2}(?![\[\w+/=])",
    "kv": (
        # (?x) arms: key=value, "key": "value", key:value (always a secret); key: word (a
        # secret when it has a digit or 16+ characters); key <16+ hex/base64 with a digit>.
        rf"""(?x: (?P<kv_key>{_SECRET_KEY})
        (?: (?P<kv_sep> ["']?\s*=\s*["']? | ["']?\s*:\s*["'] | :(?=\S) ) {_VALUE}
          | (?P<kv_colon> \s*:\s+ ) (?P<kv_word> [^\s"'&,;<>(){{}}\[\]=][^\s"'&,;<>(){{}}\[\]]* )
          | (?P<kv_space> \s+ ) (?P<kv_long> [A-Za-z0-9+/_.-]{{16,}}={{0,2}} ) (?![\w+/=-])
        ))"""
    ),
    "secret": (
        r"(?<![\]A-Za-z0-9])(?:(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{10,}|whsec_[0-9A-Za-z]{20,}"
        r"|(?:AKIA|ASIA)[0-9A-Z]{16}|gh[pousr]_[0-9A-Za-z]{30,}|github_pat_[0-9A-Za-z_]{40,}"
        r"|glpat-[0-9A-Za-z_-]{20,}|xox[abposr]-[0-9A-Za-z-]{10,}|AIza[0-9A-Za-z_-]{35}"
        r"|shp(?:at|ss|ca|pa)_[0-9a-fA-F]{32}|npm_[0-9A-Za-z]{36}"
        r"|SG\.[\w-]{16,}\.[\w-]{16,}|(?:APP_USR|TEST)-\d{6,}-\d{6}-[0-9a-f]{32}-\d{6,})"
        r"(?![\[A-Za-z0-9])"
    ),
    "email": r"(?<![\]\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,24}(?![\[\w-])",
    "cnpj": r"(?<![\]\w.])[0-9A-Z]{2}\.[0-9A-Z]{3}\.[0-9A-Z]{3}/[0-9A-Z]{4}-\d{2}(?![\[\w]|[.-]\d)",
    "cpf": r"(?<![\]\w.])\d{3}\.?\d{3}\.?\d{3}-\d{2}(?![\[\w]|[.-]\d)",
    "card": (
        r"(?<![\]\w.,-])(?:\d{4}(?P<card_sep>[ -])\d{4}(?P=card_sep)\d{4}(?P=card_sep)\d{1,7}"
        r"|\d{4}(?P<card_sep2>[ -])\d{6}(?P=card_sep2)\d{4,5})(?![\[\w])"
    ),
    "ipv6": (
        r"(?<![\]\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}"
        r"(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?(?![\[\w:.])"
    ),
    "ipv4": r"(?<![\]\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\[\w]|\.\d|::)",
    "phone_intl": r"(?<![\]\w+])\+(?:\d[ .()-]{0,2}){7,14}\d(?!\d)",
    "phone_paren": r"(?<![\]\w)])\(\d{2,3}\) ?(?:9 )?\d{3,5}[-. ]?\d{4}(?!\d)",
    "phone_local": r"(?<![\]\w.,:/+-])\d{2} (?:9 ?)?\d{4}-\d{4}(?![\[\w-])",
    "phone_us": (
        r"(?<![\]\w.,:/+-])\d{3}(?P<phone_us_sep>[-.])\d{3}(?P=phone_us_sep)\d{4}(?![\[\w]|[.-]\d)"
    ),
    "digits": r"(?<![\]\w.,])\d{11,19}(?![\[\w]|[.,]\d)",
    "run": r"(?<![\]\w-])[A-Za-z0-9_-]{32,}={0,2}(?![\[\w=-])",
}


_PATTERNS = {name: re.compile(f"(?P<{name}>{pattern})") for name, pattern in _DETECTORS.items()}
_KEYWORD_DETECTORS = tuple(_PATTERNS[name] for name in ("authz", "bearer", "basic", "kv"))
_GATES = {
    name: re.compile(gate)
    for name, gate in {
        "secret": (
            r"sk_|rk_|pk_|whsec_|AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|AIza"
            r"|shp(?:at|ss|ca|pa)_|npm_|SG\.|APP_USR-|TEST-"
        ),
        "email": r"@[\w-]+\.",
        "cnpj": r"/[0-9A-Z]{4}-\d{2}",
        "cpf": r"-\d{2}",
        "ipv4": r"\.\d{1,3}\.\d{1,3}\.\d",
        "card": r"[ -]\d{4}",
        "phone_intl": r"\+\d",
        "phone_paren": r"\(\d{2}",
        "phone_local": r"-\d{4}",
        "phone_us": r"[-.]\d{3}[-.]",
        "digits": r"\d\d{10}",
    }.items()
}
"""For a detector, a pattern that every one of its hits contains (its literal prefixes, or
a separator and the digits next to it): one scan says whether the detector can hit at all.
The detectors start with lookbehinds, which keep ``re`` from skipping ahead to a likely
start; a gate that starts with a literal (or one digit class, not a repeat) lets it skip, so on
long text (stacks, messages) the gate is many times cheaper than the detector."""
_DIGIT_RUN_DETECTORS = tuple(
    (_PATTERNS[name], _GATES[name])
    for name in ("card", "phone_intl", "phone_paren", "phone_local", "phone_us", "digits")
)
_FOUR_DIGITS = re.compile(r"\d\D*\d\D*\d\D*\d")
_FOUR_DIGIT_RUN = re.compile(r"\d{4}")
"""Gates: every numeric detector needs four digits; cards, phones and bare numbers need
four in a row (CPF and IPv4 do not: ``123.456.789-09``, ``1.2.3.4``)."""

_DIGIT_OR_AT = re.compile(r"[\d@]")
_KEYWORDS = (
    *("bearer", "basic", "key", "token", "secret", "pass", "pwd"),
    *("senha", "sess", "sid", "sig", "auth", "cred", "cookie"),
)
"""Lower-case substrings that every keyword detector needs (``in`` beats ``re.I`` tenfold)."""


def _has_keyword(text: str) -> bool:
    return any(map(text.lower().__contains__, _KEYWORDS))


_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
_HEX = re.compile(r"[0-9A-Fa-f]+")
_DIGIT = re.compile(r"\d")
_CLASS_RUN = re.compile(r"[a-z]+|[A-Z]+|[0-9]+")
_BRAZILIAN_MOBILE = re.compile(r"55[1-9]{2}9\d{8}")
"""``5511912345678``: country code, area code, a mobile's leading 9 (WhatsApp links)."""
_CARD_FIRST_DIGITS = "23456"
"""Issuer ranges of Mastercard (2, 5), Amex/Diners/JCB (3), Visa/Elo (4), Discover/Elo (6)."""


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _is_card(digits: str) -> bool:
    if not 13 <= len(digits) <= 19 or digits[0] not in _CARD_FIRST_DIGITS:
        return False
    if len(digits) == 13 and digits[0] != "4":
        return False
    return _luhn_ok(digits)


def _mod11_digit(chars: str, weights: tuple[int, ...]) -> int:
    remainder = sum((ord(c) - 48) * w for c, w in zip(chars, weights, strict=True)) % 11
    return 0 if remainder < 2 else 11 - remainder


def _is_cpf(digits: str) -> bool:
    if len(digits) != 11 or not digits.isdigit() or digits == digits[0] * 11:
        return False
    first = _mod11_digit(digits[:9], (10, 9, 8, 7, 6, 5, 4, 3, 2))
    second = _mod11_digit(digits[:10], (11, 10, 9, 8, 7, 6, 5, 4, 3, 2))
    return digits[9:] == f"{first}{second}"


def _is_cnpj(chars: str) -> bool:
    """Numeric and (since 2026) alphanumeric CNPJ: characters weigh ``ord(c) - 48``."""
    if len(chars) != 14 or not chars[12:].isdigit() or chars == chars[0] * 14:
        return False
    first = _mod11_digit(chars[:12], (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2))
    second = _mod11_digit(chars[:13], (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2))
    return chars[12:] == f"{first}{second}"


def _looks_like_token(run: str, *, hex_is_token: bool) -> bool:
    """A 32+ character run that is random-looking rather than a slug, word or UUID.

    Random text switches between lower case, upper case and digits about every second
    character; slugs and identifiers do it rarely. Pure hex (trace ids, content hashes)
    counts only where asked (page URL paths, where it is usually a reset or login token).
    """
    core = run.rstrip("=").replace("-", "").replace("_", "")
    if len(core) < 24 or not _DIGIT.search(core) or _UUID.fullmatch(run):
        return False
    if _HEX.fullmatch(core):
        return hex_is_token and not core.isdigit()
    if core.isdigit():
        return False
    switches = len(_CLASS_RUN.findall(core)) - 1
    return switches * 4 >= len(core)


_IP_CHARACTERS = re.compile(r"[0-9A-Fa-f:.]+(?:%.*)?")


def _is_ip(text: str) -> bool:
    if not _IP_CHARACTERS.fullmatch(text):  # host names fail here, before ipaddress's work
        return False
    try:
        ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _mask_key_value(match: re.Match[str]) -> str:
    """``key=value`` always hides the value; ``key: word`` after a plain word (``token``,
    not ``api_key``) only a word with a digit or 16+ characters (``token: expired`` is
    prose); ``key <run>`` only a run with a digit (``token 9f86d0…``)."""
    key = match.group("kv_key")
    if match.group("kv_sep") is not None:
        return key + match.group("kv_sep") + TOKEN
    if match.group("kv_colon") is not None:
        word = match.group("kv_word")
        is_prose_word = key.isalpha() and key[1:].islower()
        if len(word) >= 16 or _DIGIT.search(word) or not is_prose_word:
            return key + match.group("kv_colon") + TOKEN
        return match.group()
    if _DIGIT.search(match.group("kv_long")):
        return key + match.group("kv_space") + TOKEN
    return match.group()


def _mask_for(match: re.Match[str], *, hex_is_token: bool) -> str:
    """The replacement for one detector hit, counted in ``rum_redactions_total`` when masked."""
    masked = _mask_hit(match, hex_is_token=hex_is_token)
    if masked != match.group():
        hooks.redaction(_detector_name(match.lastgroup or "", masked))
    return masked


def _detector_name(kind: str, masked: str) -> str:
    """The metric's label: the phone patterns are one detector, and a bare digit run is
    named by what it turned out to be (``cpf``, ``cnpj``, ``phone`` or ``card``)."""
    if kind.startswith("phone"):
        return "phone"
    if kind == "digits":
        return masked.strip("[]")
    return kind


def _mask_hit(match: re.Match[str], *, hex_is_token: bool) -> str:
    """The replacement for one detector hit: a mask, or the text itself when not PII."""
    kind = match.lastgroup
    text = match.group()
    if kind == "jwt":
        return JWT
    if kind == "kv":
        return _mask_key_value(match)
    if kind in ("authz", "bearer", "basic"):
        return match.group(f"{kind}_key") + TOKEN
    if kind == "secret":
        return TOKEN
    if kind == "email":
        return EMAIL
    if kind == "cnpj":
        chars = text.replace(".", "").replace("/", "").replace("-", "")
        return CNPJ if chars.isdigit() or _is_cnpj(chars) else text
    if kind == "cpf":
        return CPF if "." in text or _is_cpf(text.replace("-", "")) else text
    if kind == "card":
        return CARD if _is_card(text.replace(" ", "").replace("-", "")) else text
    if kind == "ipv6":
        return IP if any(c.isdigit() for c in text) and _is_ip(text) else text
    if kind == "ipv4":  # x.y.z.0 names a network, not a host; it is Chrome's "131.0.0.0"
        return IP if not text.endswith(".0") and _is_ip(text) else text
    if kind is not None and kind.startswith("phone"):
        return PHONE
    if kind == "digits":
        if len(text) == 11 and _is_cpf(text):
            return CPF
        if len(text) == 14 and _is_cnpj(text):
            return CNPJ
        if _BRAZILIAN_MOBILE.fullmatch(text):
            return PHONE
        return CARD if _is_card(text) else text
    if kind == "run" and _looks_like_token(text, hex_is_token=hex_is_token):
        return TOKEN
    return text


_REPLACERS: dict[bool, Callable[[re.Match[str]], str]] = {
    flag: functools.partial(_mask_for, hex_is_token=flag) for flag in (False, True)
}


def _mask_pii(text: str, *, tokens: bool = True, hex_is_token: bool = False) -> str:
    """Mask every detector hit in plain text (no URL structure is considered).

    Detectors run one after the other, most specific first, each only when a cheap
    check says it could match: separate small patterns scan far faster in ``re`` than
    one alternation of all of them. Masks hold no digits and their brackets count as
    letters, so a later detector never matches a mask or across one.
    """
    if not text:
        return text
    # Keyword detectors need "key=...", "key: ..." or "Bearer ...": skip the lookup otherwise.
    has_keyword = ("=" in text or ":" in text or " " in text) and _has_keyword(text)
    if not has_keyword and "eyJ" not in text and not _DIGIT_OR_AT.search(text):
        return text
    replace = _REPLACERS[hex_is_token]
    if "eyJ" in text:
        text = _PATTERNS["jwt"].sub(replace, text)
    if has_keyword:
        for pattern in _KEYWORD_DETECTORS:
            text = pattern.sub(replace, text)
    if len(text) >= 18 and _GATES["secret"].search(text):
        text = _PATTERNS["secret"].sub(replace, text)
    if "@" in text and _GATES["email"].search(text):
        text = _PATTERNS["email"].sub(replace, text)
    if "::" in text or text.count(":") >= 7:
        text = _PATTERNS["ipv6"].sub(replace, text)
    if _FOUR_DIGITS.search(text):
        for name in ("cnpj", "cpf", "ipv4"):
            if _GATES[name].search(text):
                text = _PATTERNS[name].sub(replace, text)
        if _FOUR_DIGIT_RUN.search(text):
            for pattern, gate in _DIGIT_RUN_DETECTORS:
                if gate.search(text):
                    text = pattern.sub(replace, text)
    if tokens and len(text) >= 32:
        text = _PATTERNS["run"].sub(replace, text)
    return text


# -- normalisation: what the detectors see ---------------------------------------------

_INVISIBLE = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # control characters but tab and line feed (C0, DEL, C1)
    "\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    "\ufff9-\ufffb\U000e0000-\U000e007f"  # soft hyphen, zero-width, bidi, tag characters
)
_INVISIBLE_IN_LINE = re.compile(f"[{_INVISIBLE}]")
_INVISIBLE_OR_BREAK = re.compile(f"[\t\n{_INVISIBLE}]")
_ASCII_CONTROL_IN_LINE = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_ASCII_CONTROL_OR_BREAK = re.compile("[\x00-\x1f\x7f]")
"""The same for ASCII text, which is most text: a small class scans several times faster."""
_NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_DECODE_ROUNDS = 3
"""Percent-decoding repeats this often (``%2540`` is ``@`` encoded twice); a value still
encoded after that loses its ``%`` signs, so nothing encoded deeper slips through."""


def _ascii_digit(match: re.Match[str]) -> str:
    return str(unicodedata.digit(match.group(), 0))


def normalise(text: str, *, multiline: bool = False) -> str:
    """The text a reader sees: no control or invisible characters (tab and line feed stay
    in ``multiline`` text: messages and stacks), Unicode compatibility forms folded
    (fullwidth digits read as ``4111``): ``ana@exa<NUL>mple.com`` is ``ana@example.com``."""
    if text.isascii():
        invisible = _ASCII_CONTROL_IN_LINE if multiline else _ASCII_CONTROL_OR_BREAK
        return invisible.sub("", text) if invisible.search(text) else text
    text = _SURROGATE.sub("\ufffd", text)  # a lone one cannot be stored as UTF-8
    text = unicodedata.normalize("NFKC", _INVISIBLE_IN_LINE.sub("", text))
    text = _NON_ASCII_DIGIT.sub(_ascii_digit, text)
    invisible = _INVISIBLE_IN_LINE if multiline else _INVISIBLE_OR_BREAK
    return invisible.sub("", text) if invisible.search(text) else text


def readable(text: str) -> str:
    """One line as the detectors read it: normalised and percent-decoded (labels.py
    judges label values on this, so ``ana%40example.org`` is an email there too)."""
    return _percent_decoded(normalise(text))


def _percent_decoded(text: str, *, multiline: bool = False) -> str:
    """Percent-escapes decoded until none is left, then normalised again (``%00`` is a NUL)."""
    for _ in range(_DECODE_ROUNDS):
        if "%" not in text or not _ESCAPE.search(text):
            return text
        text = normalise(unquote(text, errors="replace"), multiline=multiline)
    return text.replace("%", "") if _ESCAPE.search(text) else text


# -- URLs --------------------------------------------------------------------------------

_URL_PARTS = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*:)?(?P<authority>//[^/?#\\]*)?(?P<rest>.*)", re.DOTALL
)
_PATH_SAFE = "/:@!$&'()*+,;=-._~[]\\"
_QUERY_SAFE = "/:@!$'()*,;-._~[]?"
_ASSET_EXTENSIONS = (
    ".js",
    ".mjs",
    ".cjs",
    ".css",
    ".map",
    ".json",
    ".wasm",
    ".png",
    ".jpg",
    ".jpeg",
    ".webp",
    ".avif",
    ".gif",
    ".svg",
    ".ico",
    ".woff",
    ".woff2",
    ".ttf",
    ".otf",
    ".mp4",
    ".webm",
)
"""Paths of public static files: their long hex/base64 parts are build hashes, not tokens."""

_URL_CACHE_MAX_LENGTH = 2048


def _redact_authority(authority: str) -> str:
    """``//user:pass@host:port`` to ``//host:port``; an IP host becomes ``[ip]``."""
    host_port = authority[2:].rpartition("@")[2]
    if host_port.startswith("["):
        end = host_port.find("]")
        host, port = (host_port, "") if end < 0 else (host_port[: end + 1], host_port[end + 1 :])
        literal = host.strip("[]")
    else:
        host, colon, port = host_port.partition(":")
        port = colon + port
        literal = host
    if literal and _is_ip(literal.rstrip(".")):  # "10.0.0.1." is the same address
        host = IP
    else:  # a host name is kept byte for byte unless it holds personal data
        decoded = _percent_decoded(host)
        masked = _mask_pii(decoded, tokens=False)
        safe = "[]-._~!$&'()*+,;="
        host = host if masked == decoded else quote(masked, safe=safe, errors="replace")
    return f"//{host}{port}"


_redact_authority_cached = functools.lru_cache(maxsize=1024)(_redact_authority)


def _redact_component(raw: str, *, safe: str, plus_is_space: bool, tokens: bool) -> str:
    """Mask PII in one percent-encoded URL component; unchanged input is kept byte for byte."""
    decoded = raw
    if "%" in raw or (plus_is_space and "+" in raw):
        decoded = _percent_decoded(raw.replace("+", " ") if plus_is_space else raw)
    redacted = _mask_pii(decoded, tokens=tokens, hex_is_token=True)
    if redacted == decoded and plus_is_space and "+" in raw:  # "+55 11 …": a literal plus?
        literal = _percent_decoded(raw)
        decoded, redacted = literal, _mask_pii(literal, tokens=tokens, hex_is_token=True)
    if redacted == decoded:
        return raw
    return quote(redacted, safe=safe, errors="replace")


def _redact_query(query: str, policy: RedactionPolicy, *, tokens: bool) -> str:
    """Keep every key, drop values except allow-listed ones (which are PII-masked)."""
    kept: list[str] = []
    for parameter in query.split("&"):
        if not parameter:
            continue
        if len(parameter) <= _PART_CACHE_MAX_LENGTH:
            kept.append(_redact_parameter_cached(parameter, policy, tokens))
        else:
            kept.append(_redact_parameter(parameter, policy, tokens))
    return "&".join(kept)


def _redact_parameter(parameter: str, policy: RedactionPolicy, tokens: bool) -> str:
    raw_key, equals, raw_value = parameter.partition("=")
    key = _redact_component(raw_key, safe=_QUERY_SAFE, plus_is_space=True, tokens=tokens)
    if not equals:
        return key
    value = ""
    decoded_key = _percent_decoded(raw_key.replace("+", " "))
    # A key that itself held PII is no real parameter name: its value goes too.
    if raw_value and key == raw_key and policy.keeps_value(decoded_key):
        value = _redact_component(raw_value, safe=_QUERY_SAFE, plus_is_space=True, tokens=tokens)
    return f"{key}={value}"


_PART_CACHE_MAX_LENGTH = 256
"""Hosts, paths and query parameters repeat across page views far more than whole URLs
(``utm_source=google``, ``/feminino/vestidos``): each short one is redacted once per
process, in bounded caches (at most 4,096 entries of at most 256 characters each)."""
_redact_parameter_cached = functools.lru_cache(maxsize=4096)(_redact_parameter)


@functools.lru_cache(maxsize=4096)
def _redact_path_cached(path: str, tokens: bool) -> str:
    return _redact_component(path, safe=_PATH_SAFE, plus_is_space=False, tokens=tokens)


def _redact_url_uncached(url: str, policy: RedactionPolicy) -> str:
    url = normalise(url)
    parts = _URL_PARTS.match(url)
    if parts is None:  # the pattern matches every string; kept for the type checker
        return _mask_pii(url)
    scheme = parts.group("scheme") or ""
    authority = parts.group("authority")
    path, _, query = parts.group("rest").partition("#")[0].partition("?")
    is_asset = path.rpartition("/")[2].lower().endswith(_ASSET_EXTENSIONS)
    redacted = scheme
    if authority is not None:
        short = len(authority) <= _PART_CACHE_MAX_LENGTH
        redacted += _redact_authority_cached(authority) if short else _redact_authority(authority)
    if len(path) <= _PART_CACHE_MAX_LENGTH:
        redacted += _redact_path_cached(path, not is_asset)
    else:
        redacted += _redact_component(
            path, safe=_PATH_SAFE, plus_is_space=False, tokens=not is_asset
        )
    query = _redact_query(query, policy, tokens=not is_asset)
    return f"{redacted}?{query}" if query else redacted


@functools.lru_cache(maxsize=4096)
def _redact_url_cached(url: str, policy: RedactionPolicy) -> str:
    return _redact_url_uncached(url, policy)


def _redact_url_any(url: str, policy: RedactionPolicy) -> str:
    if len(url) > _URL_CACHE_MAX_LENGTH:
        return _redact_url_uncached(url, policy)
    return _redact_url_cached(url, policy)


# -- free text with embedded URLs (messages, stacks) -------------------------------------

_URL_AFTER_SCHEME = re.compile(r"://[^\s<>\"'`]+")
_SCHEME_RUN = re.compile(r"[A-Za-z0-9+-]+\Z")
_TRAILING_PUNCTUATION = ".,;!?"


def _scheme_start(text: str, lowest: int, end: int) -> int:
    """Where the scheme before ``://`` at ``end`` starts (a letter, then letters, digits,
    ``+`` or ``-``, at most 31, not glued to a word or a mask); ``end`` when there is none.

    The run of scheme characters that ends at ``end`` is searched only in the 31
    characters before it, so a regex retries from at most 31 positions.
    """
    run = _SCHEME_RUN.search(text, max(lowest, end - 31), end)
    start = end if run is None else run.start()
    if start == end or not ("a" <= text[start].lower() <= "z"):
        return end
    if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_]+.-"):
        return end
    return start


def _balanced(url: str) -> str:
    """The URL up to its first unmatched ``)``: ``f (https://x/a.js:1:2)`` ends before the
    frame's parenthesis, while ``https://x/busca(1)?q=ana`` keeps its query (to drop it)."""
    close = url.find(")")
    if close < 0:
        return url
    opening = url.find("(")
    if opening < 0 or close < opening:
        return url[:close]
    depth = 0
    for position, char in enumerate(url):
        if char == "(":
            depth += 1
        elif char == ")":
            if not depth:
                return url[:position]
            depth -= 1
    return url


def _split_position(url: str) -> tuple[str, str]:
    """``https://x/app.js:12:345`` → (``https://x/app.js``, ``:12:345``): a stack frame's
    line and column, kept as they are so frames stay readable."""
    head, colon, last = url.rpartition(":")
    if not (colon and last.isascii() and last.isdigit()):
        return url, ""
    before, colon, previous = head.rpartition(":")
    if colon and previous.isascii() and previous.isdigit():
        return before, url[len(before) :]
    return head, url[len(head) :]


_URL_SLOT = "\ue000"
"""Stands in for each URL while the text around them is masked in one pass (a
private-use character: no detector treats it as part of a word)."""


def _redact_free_text(text: str, policy: RedactionPolicy, *, multiline: bool = False) -> str:
    """URLs are redacted as URLs; the text between them is percent-decoded and masked
    (an encoded URL, ``https%3A%2F%2F…``, is found once decoded).

    Decoding can change what reads as a URL (``%40https://`` becomes ``@https://``), so
    text that held escapes is redacted again until it no longer changes (at most twice
    more): redacting a stored string again must give the same string.
    """
    result = _redact_free_text_once(text, policy, multiline=multiline)
    if "%" in text and result != text:
        for _ in range(2):
            again = _redact_free_text_once(result, policy, multiline=multiline)
            if again == result:
                break
            result = again
    return result


def _redact_free_text_once(text: str, policy: RedactionPolicy, *, multiline: bool) -> str:
    if "://" not in text:
        decoded = _percent_decoded(text, multiline=multiline)
        if "://" in decoded and decoded != text:
            return _redact_free_text(decoded, policy, multiline=multiline)
        return _mask_pii(decoded)
    gaps: list[str] = []
    urls: list[str] = []
    position = 0
    # Find "://" first (a fast literal search), then the scheme just before it.
    while (rest := _URL_AFTER_SCHEME.search(text, position)) is not None:
        start = _scheme_start(text, position, rest.start())  # no scheme: still a URL
        url = _balanced(text[start : rest.end()]).rstrip(_TRAILING_PUNCTUATION)
        gaps.append(text[position:start])
        position = start + len(url)
        url, line_and_column = _split_position(url)
        urls.append(_redact_url_any(url, policy) + line_and_column)
    gaps.append(text[position:])
    if "%" in text:
        decoded_gaps = [_percent_decoded(gap, multiline=multiline) for gap in gaps]
    else:  # nothing to decode: each gap is itself
        decoded_gaps = gaps
    if decoded_gaps is not gaps and any(
        "://" in new and new != old for new, old in zip(decoded_gaps, gaps, strict=True)
    ):
        masked_gaps = [
            _redact_free_text(new, policy, multiline=multiline) if new != old else _mask_pii(new)
            for new, old in zip(decoded_gaps, gaps, strict=True)
        ]  # decoded text has no escapes left: one level of recursion at most
    else:
        masked_gaps = _mask_pii(_URL_SLOT.join(decoded_gaps)).split(_URL_SLOT)
        if len(masked_gaps) != len(gaps) or _URL_SLOT in text:  # a detector ate a slot
            masked_gaps = [_mask_pii(gap) for gap in decoded_gaps]
    pieces = [masked_gaps[0]]
    for url, gap in zip(urls, masked_gaps[1:], strict=True):
        pieces += (url, gap)
    return "".join(pieces)


# -- public API --------------------------------------------------------------------------


Kind = Literal["text", "multiline", "url", "referrer", "key"]
"""How a string is read: one line of text (names, labels, attribute values), several
lines (error messages, stacks: line breaks kept), a URL, a referrer (origin only), or an
attribute or label key."""


def redact(value: str, kind: Kind = "text", policy: RedactionPolicy = DEFAULT_POLICY) -> Redacted:
    """The one entry point every stored client string goes through: normalised first
    (control and invisible characters removed, percent-escapes decoded), then masked.

    Total: any input gives a string. A failure (never seen) gives ``[redacted]``, or ""
    for referrers and keys, never the input.
    """
    return Redacted(_redacted(value, kind, policy))


def _redacted(value: str, kind: Kind, policy: RedactionPolicy) -> str:
    if not isinstance(value, str):
        return ""
    try:
        if kind == "url":  # normalised inside, behind the cache of repeated page URLs
            return _redact_url_any(value, policy)
        text = normalise(value, multiline=kind == "multiline")
        if kind == "referrer":
            return _origin(text)
        if kind == "key":
            return _redact_key(text)
        if "%" not in text and "://" not in text:  # nothing to decode, no URL: masks only
            return _mask_pii(text)
        return _redact_free_text(text, policy, multiline=kind == "multiline")
    except Exception:
        return "" if kind in ("referrer", "key") else REDACTION_FAILED


def redact_text(text: str, *, policy: RedactionPolicy = DEFAULT_POLICY) -> Redacted:
    """Names, attribute values, labels (one line): PII masked, embedded URLs redacted."""
    return redact(text, "text", policy)


def redact_message(text: str, policy: RedactionPolicy = DEFAULT_POLICY) -> Redacted:
    """Error messages: like :func:`redact_text`, but line breaks are kept."""
    return redact(text, "multiline", policy)


def redact_url(url: str, policy: RedactionPolicy) -> Redacted:
    """Page, error-file and resource URLs: no fragment, no credentials, query values
    removed except allow-listed keys, PII and tokens masked in host, path and kept values."""
    return redact(url, "url", policy)


def redact_key(key: str) -> Redacted:
    """An attribute or label key as stored, or "" when the pair must be dropped."""
    return redact(key, "key")


_KEY = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_LONG_NUMBER = re.compile(r"\d{8}")


def _redact_key(key: str) -> str:
    """Keys are names: one outside ``A-Za-z0-9_.-``, holding a detector's hit or a number
    of 8+ digits (``rum.event.attr.4111111111111111``) is no name, so it is dropped."""
    key = _percent_decoded(key)
    if not _KEY.fullmatch(key) or _LONG_NUMBER.search(key) or _mask_pii(key) != key:
        return ""
    return key


_ORIGIN = re.compile(r"\s*(?P<scheme>[Hh][Tt][Tt][Pp][Ss]?)://(?P<authority>[^/?#\\]*)")
_HOST = re.compile(r"[^\s\x00-\x1f\x7f<>\"'`{}|^%@/\\:]{1,253}")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _origin(url: str) -> str:
    found = _ORIGIN.match(url)
    if found is None:
        return ""
    scheme = found.group("scheme").lower()
    host_port = found.group("authority").rpartition("@")[2]
    if host_port.startswith("["):
        host, _, port = host_port[1:].partition("]")
        port = port.removeprefix(":")
    else:
        host, _, port = host_port.partition(":")
    if _is_ip(host.rstrip(".")) or host_port.startswith(IP):  # "[ip]": our mask, read again
        host = IP
    elif not _HOST.fullmatch(host) or _mask_pii(host, tokens=False) != host:
        return ""  # not a host name, or one holding personal data
    if not (port.isascii() and port.isdigit()) or port == _DEFAULT_PORTS[scheme]:
        port = ""
    return f"{scheme}://{host.lower()}" + (f":{port}" if port else "")


def redact_referrer(url: str) -> Redacted:
    """The referrer's origin only (``https://www.google.com``); "" if not an http(s) URL."""
    return redact(url, "referrer")


def redact_stack(stack: str, policy: RedactionPolicy) -> Redacted:
    """Stack traces: frame URLs lose query values and fragments (``:line:col`` kept),
    the rest is masked like free text."""
    return redact(stack, "multiline", policy)


# -- ids: a strict alphabet, else a keyed hash -------------------------------------------

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_LETTER = re.compile(r"[A-Za-z]")
_FINGERPRINT = re.compile(r"[0-9a-f]{8,64}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_HEX_AS_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")
_ID_HASH_KEY = secrets.token_bytes(32)
"""Per process: a replaced id keeps grouping its rows while the process runs, and no one
without this key (it is never stored) can test guesses (CPFs, phones) against it."""


_DIGIT_RUN = re.compile(r"\d{8,}")


def _is_number_like_pii(run: str) -> bool:
    """A run of 8+ digits inside an id, whatever letters it is glued to (``x5511912345678``),
    could be a phone, a CPF or a card; only web-vitals' 13-digit parts (a time and a random
    number, ``v5-1764446395000-3333333333333``) pass, unless a card or a mobile number."""
    return len(run) != 13 or _is_card(run) or bool(_BRAZILIAN_MOBILE.fullmatch(run))


_SHORT_ID = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,30}|(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,31}")
_SECRET_IN_SHORT_ID = re.compile("AKIA|ASIA|glpat|xox")
"""Most ids: web-vitals' ``v5-1764446395000-3333333333333``, the snippet's base-36 ids,
``pv-1a2b3c``. In them no detector can hit beyond the 8+ digit runs that
:func:`_is_number_like_pii` judges: no ``=``, ``:`` or space for a keyword, no ``@``,
``.``, ``/``, ``+``, ``(`` or ``_``, shorter than a 32-character run, and none of the
secrets' prefixes that fit the alphabet (AWS, GitLab, Slack keys); a card or US phone
(digit groups split by ``-``) could only start at the first character (their lookbehinds
refuse a letter, digit or ``-`` before them), which is a letter or the id has no ``-``;
a CPF needs a 9-digit run, which the run check refuses first.
``tests/unit/test_redact.py`` compares this path with the detectors on such ids."""


def _is_plain_id(value: str) -> bool:
    if _SHORT_ID.fullmatch(value) is None or _SECRET_IN_SHORT_ID.search(value) is not None:
        return _is_plain_id_by_detectors(value)
    return not any(map(_is_number_like_pii, _DIGIT_RUN.findall(value)))


def _is_plain_id_by_detectors(value: str) -> bool:
    if not (_ID.fullmatch(value) and _LETTER.search(value)):
        return False
    if any(_is_number_like_pii(run) for run in _DIGIT_RUN.findall(value)):
        return False
    return _mask_pii(value) == value


@functools.lru_cache(maxsize=2)
def _keyed_hasher(key: bytes) -> hashlib.blake2b:
    """A keyed BLAKE2b with nothing hashed yet: copying it skips the key's setup."""
    return hashlib.blake2b(key=key, digest_size=12)


def clean_id(value: str) -> Redacted:
    """A page-view, session or metric id as stored: the client's own when it has the strict
    alphabet (``A-Za-z0-9._:-``, at least one letter), no run of 8+ digits but web-vitals'
    13-digit parts, and no detector fires on it; else ``h-`` and a keyed hash of it, so a
    card, CPF or phone number sent as an id is never stored and its rows still group."""
    if isinstance(value, str) and _is_plain_id(value):
        return Redacted(value)
    hasher = _keyed_hasher(_ID_HASH_KEY).copy()  # the same digest as blake2b(data, key=…)
    hasher.update(str(value).encode("utf-8", "surrogatepass"))
    digest = hasher.hexdigest()
    return Redacted("h-" + digest.translate(_HEX_AS_LETTERS))  # letters only: a clean id


def is_clean_site(site: str) -> bool:
    """A site id must read as a name (a letter, no detector hit): it is stored as is."""
    return isinstance(site, str) and _is_plain_id(site)


def clean_fingerprint(fingerprint: str) -> Redacted:
    """The client's error fingerprint when it is 8 to 64 lowercase hex digits with a letter
    (so no phone, card or name), else "" (the server then computes its own)."""
    if isinstance(fingerprint, str) and _FINGERPRINT.fullmatch(fingerprint):
        return Redacted(fingerprint if not fingerprint.isdigit() else "")
    return Redacted("")


def clean_user_hash(user_hash: str) -> Redacted:
    """A user hash is a SHA-256: 64 hex digits, stored lower-case; anything else (a CPF,
    a card, a phone number, an email) is dropped."""
    if not isinstance(user_hash, str):
        return Redacted("")
    lowered = user_hash.strip().lower()
    return Redacted(lowered if _SHA256.fullmatch(lowered) and not lowered.isdigit() else "")


# -- values with no room for free text ---------------------------------------------------


def checked(value: str, alphabet: re.Pattern[str] = CLOSED_WORD) -> Redacted:
    """``value`` when it is spelled entirely in a closed ``alphabet`` (an enum word, a
    number, a version), else ``""``: the redaction of a value with no room for free text."""
    if isinstance(value, str) and alphabet.fullmatch(value):
        return Redacted(value)
    return Redacted("")


def joined(*parts: Redacted) -> Redacted:
    """Redacted parts joined by single spaces (a Body such as ``LCP 2315 ms good /``)."""
    return Redacted(" ".join(parts))
