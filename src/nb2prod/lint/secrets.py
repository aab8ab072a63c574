"""Secret detection shared by hard-coded-secret (NB401) and secret-in-output (NB402).

Three detectors, after detect-secrets and gitleaks:

* provider patterns (:data:`PROVIDERS`): AWS access key ids, GitHub, Slack, Stripe and Google keys,
  private-key headers, JWTs, passwords inside connection URLs and ``Bearer`` tokens;
* keywords: a string assigned to a name, key or argument whose words include ``password``, ``secret``,
  ``token``, ``api key``, ``private key``, ``access key``, ``credential`` (see :func:`secret_keyword`);
* entropy: a string of at least ``entropy-min-length`` (20) characters from the base64 alphabet,
  with letters and digits and no spaces, whose Shannon entropy is at least ``entropy-threshold``
  (4.5 bits per character, detect-secrets' base64 limit). English identifiers and column names stay
  below 4.2; random 40-character keys score about 5.

Only where a secret is is ever reported, never its value.

The same detector serves ``nb2prod convert`` (:mod:`nb2prod.convert.secrets`): :func:`secret_values`
gives the secret *values* in a text (a private-key block whole, the password of a URL, the token of a
``Bearer`` header, the value of a ``password=...`` pair), which convert moves to environment variables
and redacts from every file it writes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from nb2prod.lint.lazyre import LazyPattern

#: (label, literals one of which every match contains, pattern); the literals are a fast pre-check
PROVIDERS: tuple[tuple[str, tuple[str, ...], LazyPattern], ...] = tuple(
    (label, literals, LazyPattern(pattern))
    for label, literals, pattern in (
        ("AWS access key", ("A3T", "AKIA", "ASIA", "ABIA", "ACCA"), r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b"),
        ("GitHub token", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"), r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})"),
        ("Slack token", ("xox",), r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
        ("Slack webhook", ("hooks.slack.com",), r"hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]+"),
        ("Stripe key", ("k_live_",), r"\b[rs]k_live_[A-Za-z0-9]{20,}"),
        ("Google API key", ("AIza",), r"\bAIza[0-9A-Za-z_-]{35}\b"),
        ("private key", ("PRIVATE KEY",), r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----"),
        ("JWT", ("eyJ",), r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
        ("URL password", ("://",), r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:(?!\{|\$|\*{3}|<|password@)[^/\s:@'\"]{3,}@"),
        ("bearer token", ("earer", "EARER"), r"\b(?:[Bb]earer|BEARER)\s+(?=[A-Za-z._~+/-]*[0-9])[A-Za-z0-9._~+/-]{16,}=*"),
    )
)

_WORDS = LazyPattern(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_SECRET_WORDS = frozenset({"password", "passwd", "pwd", "pass", "secret", "token", "apikey", "credential", "credentials", "authorization"})
_SECRET_PAIRS = frozenset({("api", "key"), ("private", "key"), ("access", "key"), ("secret", "key"), ("auth", "key")})
#: a last word that makes the name describe something else (``password_prompt``, ``token_column``)
_NOT_SECRET_LAST = frozenset(
    {"name", "names", "id", "path", "file", "dir", "column", "col", "field", "prompt", "url", "env", "var",
     "label", "type", "length", "len", "header", "count", "size", "policy", "hint", "regex", "pattern"}
)
_PLACEHOLDER = LazyPattern(
    r"^(?:|x+|\*+|\.+|-+|none|null|todo|tbd|changeme|change_me|secret|password|token|bearer|basic|digest|your[_ -].*|<.*>|\{.*\}|\$\{.*\}|\$[A-Z_]+|%\(.*\)s)$",
    re.IGNORECASE,
)
_ENV_NAME = LazyPattern(r"^[A-Z][A-Z0-9_]*$")
#: a value made only of these words (``sk-test``, ``dummy_password``, ``fake-token-123``) is a stand-in, not a secret
_FAKE_WORDS = frozenset(
    {"test", "testing", "dummy", "fake", "example", "sample", "placeholder", "redacted", "mock", "demo", "foo", "bar",
     "sk", "pk", "my", "api", "key", "secret", "token", "password", "pass", "pwd", "access", "private", "public",
     "auth", "value", "here", "xxx", "xxxx", "abc", "123", "1234", "12345", "0", "1"}
)  # fmt: skip
_FAKE_SPLIT = LazyPattern(r"[-_.:/ ]+")
_BASE64 = LazyPattern(r"^[A-Za-z0-9+/=_-]+$")
_UUID = LazyPattern(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def words(name: str) -> list[str]:
    """``awsSecretKey`` / ``AWS_SECRET_KEY`` -> ["aws", "secret", "key"]."""
    return [w.lower() for w in _WORDS.findall(name)]


def secret_keyword(name: str) -> bool:
    """Whether a variable, key or argument name says it holds a secret."""
    lower = name.lower()
    # Every secret word and pair contains one of these, and each word is a piece of the name.
    if not any(hint in lower for hint in _SECRET_HINTS):
        return False
    parts = words(name)
    if not parts or parts[-1] in _NOT_SECRET_LAST:
        return False
    if any(p in _SECRET_WORDS for p in parts):
        return True
    return any(pair in _SECRET_PAIRS for pair in zip(parts, parts[1:]))


def placeholder(value: str) -> bool:
    """Empty, templated or obviously fake values, environment variable names and prose are not secrets."""
    value = value.strip()
    if _PLACEHOLDER.match(value) or _ENV_NAME.match(value) or " " in value:
        return True
    # made only of stand-in words, with at least one that says so (``sk-test``, ``pk_dummy``; not ``sk-4eC39Hq``)
    parts = _FAKE_SPLIT.sub(" ", value.lower()).split()
    return bool(parts) and all(p in _FAKE_WORDS for p in parts) and any(
        p in ("test", "testing", "dummy", "fake", "example", "sample", "placeholder", "redacted", "mock", "demo") for p in parts
    )


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    import math  # here: few strings get this far, and the hook's start-up need not pay for it

    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


#: every literal: the quick pre-check for the many short strings of source code (``in`` beats one regex of them all)
_LITERALS = tuple(lit for _, literals, _ in PROVIDERS for lit in literals)


#: any of :data:`_LITERALS`, as one search (one C call instead of a Python loop of ``in`` tests)
_ANY_LITERAL = LazyPattern("|".join(re.escape(lit) for lit in _LITERALS))


#: the shortest text any provider pattern matches: ``a://b:ccc@`` (a URL password); the others need
#: 15 (Slack) to 40 (GitHub) characters. Most string literals in code are shorter (column names).
PROVIDER_MIN_LENGTH = 10


def may_have_provider(text: str) -> bool:
    """False when no provider pattern can match ``text``: too short, or none of their literals."""
    return len(text) >= PROVIDER_MIN_LENGTH and _ANY_LITERAL.search(text) is not None


def provider(text: str) -> str | None:
    """The label of the first provider pattern found in ``text``."""
    if not may_have_provider(text):  # every pattern contains a literal: most texts, short or long, stop here
        return None
    for label, literals, pattern in PROVIDERS:
        if any(literal in text for literal in literals):
            if _url_password(text) if label == "URL password" else pattern.search(text):
                return label
    return None


_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789+.-")
#: the "URL password" pattern after its ``scheme://``
_URL_REST = LazyPattern(r"[^/\s:@'\"]+:(?!\{|\$|\*{3}|<|password@)[^/\s:@'\"]{3,}@")


def _url_password(text: str) -> bool:
    """Whether the "URL password" pattern occurs in ``text``, looking only where ``://`` is.

    The pattern's own search tries every position of a long output (its start, ``\\b[a-z]``, is
    nearly everywhere). A match is a ``scheme`` (``[a-z]`` at a word boundary, then ``[a-z0-9+.-]*``)
    ending right before a ``://`` and :data:`_URL_REST` right after it: the same question.
    """
    at = text.find("://")
    while at != -1:
        if _URL_REST.match(text, at + 3) is not None:
            start = at
            while start and text[start - 1] in _SCHEME_CHARS:
                start -= 1
            for index in range(start, at):
                char = text[index]
                if "a" <= char <= "z" and (index == 0 or not (text[index - 1].isalnum() or text[index - 1] == "_")):
                    return True
        at = text.find("://", at + 1)
    return False


def high_entropy(value: str, threshold: float, min_length: int) -> bool:
    """A random-looking token (see the module docstring for the rule)."""
    return (
        min_length <= len(value) <= 1000
        and _BASE64.match(value) is not None
        and _UUID.match(value) is None
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
        and entropy(value) >= threshold
    )


_SECRET_HINTS = ("pass", "pwd", "secret", "token", "key", "credential", "authorization")
_ASSIGNED = LazyPattern(r"""['"]?\s*[:=]\s*['"]?([^\s'",}]{6,})""")


def _assigned_values(text: str) -> Iterator[tuple[str, str]]:
    """(key, value) for ``password = "..."``, ``"api_key": "..."``, ``token=...`` whose key has a secret word.

    Finds the words with ``str.find`` and only then looks around them: outputs can be large tables.
    """
    lower = text.lower()
    for hint in _SECRET_HINTS:
        at = lower.find(hint)
        while at != -1:
            start, end = at, at + len(hint)
            while start and (text[start - 1].isalnum() or text[start - 1] == "_"):
                start -= 1
            while end < len(text) and (text[end].isalnum() or text[end] == "_"):
                end += 1
            match = _ASSIGNED.match(text, end)
            if match:
                yield text[start:end], match.group(1)
            at = lower.find(hint, end)


def secret_in_text(text: str) -> str | None:
    """What kind of secret a block of output text shows, or None."""
    label = provider(text)
    if label:
        return label
    for key, value in _assigned_values(text):
        if secret_keyword(key) and not placeholder(value):
            return f"value of {key!r}"
    return None


#: (label, pattern whose group ``v`` is the secret value in a text); the rest are the whole match
_VALUE_PATTERNS: dict[str, LazyPattern] = {
    "private key": LazyPattern(
        r"(?P<v>-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
        r"(?:(?:(?!-----END)[\s\S]){0,20000}?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=:\s\\n-]*))"
    ),
    "URL password": LazyPattern(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:(?!\{|\$|\*{3}|<|password@)(?P<v>[^/\s:@'\"]{3,})@"),
    "bearer token": LazyPattern(r"\b(?:[Bb]earer|BEARER)\s+(?P<v>(?=[A-Za-z._~+/-]*[0-9])[A-Za-z0-9._~+/-]{16,}=*)"),
}
_PLAUSIBLE_TOKEN = LazyPattern(r"^[^\s()\[\]{}<>`'\"\\]{8,}$")


def plausible_value(value: str) -> bool:
    """Whether a value found by a keyword in free text looks like a credential rather than code or prose.

    At least 8 characters, no spaces, brackets, quotes or backslashes (``os.environ[...]``,
    ``getpass()``, ``<redacted>`` are not values), not a placeholder, and not spelled like a variable
    (``my_password_var``, ``settings.token``); ``hunter2!`` and ``Sup3rS3cret`` are values.
    """
    if _PLAUSIBLE_TOKEN.match(value) is None or placeholder(value) or value.startswith("$"):
        return False
    name_like = value.replace(".", "_").isidentifier()
    return not (name_like and (value.islower() or value.isupper() or value[:1].isupper() and value[1:].islower()))


def secret_values(text: str) -> list[tuple[str, str]]:
    """Every secret value in a free text (markdown, an output, a string literal), as (label, value).

    Provider patterns give their whole match, except a private key (the whole ``BEGIN ... END``
    block, or the header and the key lines after it), a URL password (the password only) and a
    ``Bearer`` header (the token only). ``key = value`` pairs whose key says secret give the value
    when :func:`plausible_value` holds. Values are unique, in order of first appearance.
    """
    found: dict[str, str] = {}
    if may_have_provider(text):
        for label, literals, pattern in PROVIDERS:
            if not any(literal in text for literal in literals):
                continue
            value_pattern = _VALUE_PATTERNS.get(label)
            for match in (value_pattern or pattern).finditer(text):
                value = match.group("v") if value_pattern is not None else match.group(0)
                value = value.strip()
                if value and not placeholder(value) or label == "private key" and value:
                    found.setdefault(value, label)
    for key, value in _assigned_values(text):
        if secret_keyword(key) and plausible_value(value) and not any(value in v for v in found):
            found.setdefault(value, f"value of {key!r}")
    return [(label, value) for value, label in found.items()]


def named_secret(name: str | None, value: str, threshold: float = 4.5, min_length: int = 20) -> str | None:
    """What kind of secret a string stored under ``name`` (variable, key, argument; None if unnamed) is.

    The rules of ``hard-coded-secret`` (NB401): a provider pattern anywhere in the value, a name that
    says secret with a value that is not a placeholder, or (named values only) a high-entropy token.

    Returns:
        A label such as ``"Google API key"``, ``"secret"`` or ``"high-entropy string"``, or None.
    """
    label = provider(value)
    if label:
        return label
    if name and secret_keyword(name) and not placeholder(value):
        return "secret"
    if name and high_entropy(value, threshold, min_length):
        return "high-entropy string"
    return None
