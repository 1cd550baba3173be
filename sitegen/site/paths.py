"""Where a page and the data copies live in the site, relative to its root: a period's,
and a symbol's or strategy's. Pure."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from sitegen.export import artifact_name


def page_path(window: str, period: str) -> str:
    """Where a period's page lives, relative to the site root."""
    if window == "all":
        return "index.html"
    return f"{window}/{period}.html"


def data_path(window: str, period: str, ext: str) -> str:
    """The site's copy of a period's JSON or Markdown artifact."""
    return f"data/{artifact_name(window, period)}.{ext}"


def root_of(path: str) -> str:
    """The ``../`` prefix that leads from the page at ``path`` back to the site root."""
    return "../" * path.count("/")


# --- drill-down pages: a page per symbol and per strategy --------------------------

#: a kind of key -> the folder of its pages
KEY_FOLDERS = {"symbol": "symbols", "strategy": "strategies"}

# A key is its own file name when it is plain: letters, digits and ``.-`` (first a letter
# or digit), at most 40 characters, in the one letter case of its folder (symbols upper,
# strategies lower, as bots write them), and not a name Windows reserves. Any other key
# gets ``<slug>~<digest>``: "~" is never in a plain name, so the two kinds of names never
# meet, and a one-case folder keeps plain names apart on a case-insensitive disk too.
_PLAIN = {
    "symbol": re.compile(r"[A-Z0-9][A-Z0-9.-]{0,39}"),
    "strategy": re.compile(r"[a-z0-9][a-z0-9.-]{0,39}"),
}
_RESERVED = re.compile(r"(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\..*)?", re.IGNORECASE)
_SLUG_RUN = re.compile(r"[^a-z0-9]+")
#: hex digits of the SHA-256 of a key in its file name (80 bits)
DIGEST_CHARS = 20
SLUG_CHARS = 32
#: every file name key_path() gives (to find pages of keys that are gone)
KEY_NAME = re.compile(
    rf"(?:[A-Za-z0-9][A-Za-z0-9.-]{{0,39}}|[a-z0-9-]{{1,{SLUG_CHARS}}}~[0-9a-f]{{{DIGEST_CHARS}}})\.html"
)


def plain_key(kind: str, key: str) -> bool:
    """Whether ``key`` is its page's file name: letters, digits and ``.-`` only, so it
    can stand anywhere in a page as it is (no markup, no direction characters)."""
    return bool(_PLAIN[kind].fullmatch(key)) and not _RESERVED.fullmatch(key) and key[-1] != "."


def key_name(kind: str, key: str) -> str:
    """The file name (without ``.html``) of the page of a symbol or strategy ``key``:
    the key itself when plain, else a readable slug of it and a digest of the whole
    key. Depends on the key alone, so every page can link to it."""
    if plain_key(kind, key):
        return key
    ascii_text = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
    slug = _SLUG_RUN.sub("-", ascii_text.lower()).strip("-")[:SLUG_CHARS].strip("-") or "key"
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:DIGEST_CHARS]
    return f"{slug}~{digest}"


def key_path(kind: str, key: str) -> str:
    """Where the page of a symbol or strategy lives, relative to the site root."""
    return f"{KEY_FOLDERS[kind]}/{key_name(kind, key)}.html"
