"""One fingerprint per bug, computed by the server (docs/snippet.md, "Fingerprints").

The rule: when a source map resolved the top in-app frame, the bug is the error type
and that frame's original file and function (a line moves from release to release, a
function rarely does); otherwise it is the error type, the message with its variable
parts collapsed, and the top frame's script, with the page's own path taken out for an
inline script and build hashes collapsed. Whatever the client sends as ``fp`` is never
stored: the fingerprint is always 16 hex digits of a hash.
"""

from __future__ import annotations

import hashlib
import re

from rum_server.contract import (
    ERROR_FILE,
    ERROR_FINGERPRINT,
    ERROR_MESSAGE,
    ERROR_STACK,
    ERROR_STACK_MINIFIED,
    ERROR_TYPE,
    PAGE_URL,
)
from rum_server.transform.redact import Redacted, checked, redact_message
from rum_server.transform.symbolicate import Frame, Symbolicated, parse_frames, path_of

INLINE = "(inline)"
_QUOTED = re.compile(r"\"[^\"]*\"|(?<!\w)'[^']*'(?!\w)|`[^`]*`|“[^”]*”")
_ID_OR_NUMBER = re.compile(r"\b[0-9a-f][0-9a-f-]{7,}\b|\d+(?:\.\d+)?", re.IGNORECASE)
_SEGMENT_WITH_DIGIT = re.compile(r"[A-Za-z0-9_]*\d[A-Za-z0-9_]*")
_SPACES = re.compile(r"\s+")


def normalise_message(message: str) -> str:
    """``discount code "X1" is not valid for 129`` → ``discount code ? is not valid for 0``."""
    collapsed = _ID_OR_NUMBER.sub("0", _QUOTED.sub("?", message))
    return _SPACES.sub(" ", collapsed).strip()


def script_of(file: str, page_url: str) -> str:
    """The script a frame is in, the same on every page and release: an inline script
    (its file is the page itself) is ``(inline)``; otherwise the URL path without origin
    or query, with each name part that holds a digit (a build hash, a version) as ``0``."""
    if not file:
        return ""
    path = path_of(file)
    if not path or path == path_of(page_url) or file.startswith(("data:", "blob:")):
        return INLINE
    return _SEGMENT_WITH_DIGIT.sub("0", path)


def fingerprint(
    error_type: str,
    message: str,
    top_file: str,
    page_url: str,
    top_in_app: Frame | None = None,
) -> str:
    """16 hex digits naming the bug (see the module's docstring for the rule)."""
    if top_in_app is not None and top_in_app.function:
        key = f"frame|{error_type}|{top_in_app.file}|{top_in_app.function}"
    elif top_in_app is not None:
        key = f"frame|{error_type}|{top_in_app.file}|{normalise_message(message)}"
    else:
        key = f"text|{error_type}|{normalise_message(message)}|{script_of(top_file, page_url)}"
    return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


def identify_error(
    attributes: dict[str, Redacted], symbolicated: Symbolicated | None = None
) -> None:
    """Sets ``rum.error.fingerprint`` and, when a map resolved a frame, keeps the minified
    stack in ``rum.error.stack.minified`` and the symbolicated one in ``rum.error.stack``."""
    stack = attributes.get(ERROR_STACK) or checked("")
    top_file = attributes.get(ERROR_FILE, "")
    if not top_file:
        frames = parse_frames(stack)
        top_file = frames[0].file if frames else ""
    top_in_app = None
    if symbolicated is not None and symbolicated.mapped:
        attributes[ERROR_STACK_MINIFIED] = stack
        # Names from the site's own maps: redacted like the stack they replace.
        attributes[ERROR_STACK] = redact_message(symbolicated.stack)
        top_in_app = symbolicated.top_in_app
    attributes[ERROR_FINGERPRINT] = checked(
        fingerprint(
            attributes.get(ERROR_TYPE, ""),
            attributes.get(ERROR_MESSAGE, ""),
            top_file,
            attributes.get(PAGE_URL, ""),
            top_in_app,
        )
    )
