"""Custom-event names and labels: which values may become a label, and why others may not.

A label (``rum.event.label.<key>``) exists to be grouped by; an id in a label makes one
series per shopper or product. So a value that looks like an identifier (a long digit
run, a UUID, long hex, an email, anything the redactor would mask) or is too long is
refused as a label: it is kept as an attribute when the event has room for one (the
wire allows 16), else dropped. Every refusal is counted by reason for operators.

Pure apart from the thread-safe counters; the checks run on the value as the redactor
sees it, after control characters are removed and percent-encoding is decoded, so
``ana%40example.org`` is an email here too.
"""

from __future__ import annotations

import re
import threading
from collections import Counter

from rum_server.metrics import hooks
from rum_server.transform.redact import readable, redact_text

RESERVED_FUNNEL = (
    "view_item_list",
    "view_product",
    "add_to_cart",
    "begin_checkout",
    "add_shipping_info",
    "add_payment_info",
    "purchase",
)
"""The commerce journey of the reserved vocabulary (GA4 e-commerce names where one
exists), in order: the funnel reports show by default."""

EVENT_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
"""Custom event names: ``^[a-z][a-z0-9_]{0,39}$`` (GA4-style snake case)."""
MAX_LABELS = 4
MAX_LABEL_LENGTH = 64
MAX_ATTRIBUTES = 16
"""The wire's bound on ``attrs``: a refused label becomes an attribute only below it."""
LABEL_KEY = re.compile(r"[A-Za-z0-9_.-]{1,64}")

REASONS = ("too_many", "too_long", "bad_key", "email", "uuid", "hex", "digits", "pii")
"""Why a label was refused, in the order the checks run."""

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.I)
_LONG_HEX = re.compile(r"(?=[0-9a-f]*\d)[0-9a-f]{16,}", re.I)
_DIGIT_RUN = re.compile(r"\d{6,}")
_SEPARATED_DIGITS = re.compile(r"\d(?:[\s.()/-]?\d){7,}")
"""A phone, CPF or card with its separators: eight digits or more in one run."""


def label_refusal(value: str) -> str:
    """Why ``value`` may not be a label (one of :data:`REASONS`), or '' when it may."""
    text = readable(value).strip()
    if len(value) > MAX_LABEL_LENGTH or len(text) > MAX_LABEL_LENGTH:
        return "too_long"
    if _EMAIL.search(text):
        return "email"
    if _UUID.search(text):
        return "uuid"
    if _LONG_HEX.search(text):
        return "hex"
    if _DIGIT_RUN.search(text) or _SEPARATED_DIGITS.search(text):
        return "digits"
    if redact_text(text) != text:
        return "pii"
    return ""


def is_event_name(name: str) -> bool:
    return EVENT_NAME.fullmatch(name) is not None


class LabelStats:
    """Refused labels by reason, and values past the daily budget: per process, for health."""

    def __init__(self) -> None:
        self._refused: Counter[str] = Counter()
        self._overflowed = 0
        self._rejected_names = 0
        self._lock = threading.Lock()

    def refused(self, reason: str) -> None:
        with self._lock:
            self._refused[reason] += 1
        hooks.dropped(f"label_{reason}")  # /__deco/rum/metrics: rum_dropped_total{kind=…}

    def overflowed(self) -> None:
        with self._lock:
            self._overflowed += 1
        hooks.dropped("label")

    def rejected_name(self) -> None:
        with self._lock:
            self._rejected_names += 1

    def snapshot(self) -> dict[str, object]:
        """What health shows: ``refused`` by reason (every reason, zeros too)."""
        with self._lock:
            return {
                "refused": {reason: self._refused[reason] for reason in REASONS},
                "over_budget": self._overflowed,
                "rejected_event_names": self._rejected_names,
            }
