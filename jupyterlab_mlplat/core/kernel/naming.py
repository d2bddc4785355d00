"""The one place that decides which names may reach Kubernetes, MLflow or the file system.

User text never becomes a label, a path or a command without passing through here.
"""

from __future__ import annotations

import hashlib
import re

from jupyterlab_mlplat.core.kernel.errors import (
    InvalidInput,
    NameInvalid,
    TextInvalid,
    declare_field_reasons,
)

_DNS_1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_LABEL_MAX = 63
RESERVED = frozenset({"default", "kube-system", "kube-public", "kube-node-lease", "api", "new"})

#: C0 and C1 control characters and DEL: they end C strings (NUL), rewrite terminals (ESC) and
#: are invisible in every form; text that spans lines keeps tab, newline and carriage return
_CONTROL_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: the Unicode bidirectional controls: they make a name read differently from what it is
#: ("Trojan Source"); scripts written right to left need none of them to show correctly
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: the longest path Linux takes (PATH_MAX) and the longest name of one file in it (NAME_MAX)
PATH_MAX = 4096
FILE_NAME_MAX = 255
#: the field reasons of ``text_problem`` for forms: NUL or other controls, bidi controls
declare_field_reasons("text_control", "text_bidi")


def dns_label(value: str, *, field: str = "name") -> str:
    """Check a DNS-1123 label (lower-case letters, digits, '-', at most 63, alphanumeric ends)."""
    shown = value[:100]
    if not value:
        raise NameInvalid(
            f"{field} must not be empty", field, params={"field": field, "rule": "empty"}
        )
    if len(value) > DNS_LABEL_MAX:
        raise NameInvalid(
            f"{field} must be at most {DNS_LABEL_MAX} characters",
            field,
            params={"field": field, "rule": "too_long", "limit": DNS_LABEL_MAX},
        )
    if not _DNS_1123_LABEL.fullmatch(value):
        raise NameInvalid(
            f"{field} {value!r} may use only lower-case letters, digits and '-', "
            "and must start and end with a letter or digit",
            field,
            params={"field": field, "rule": "characters", "value": shown},
        )
    if value in RESERVED:
        raise NameInvalid(
            f"{field} {value!r} is reserved; choose another",
            field,
            params={"field": field, "rule": "reserved", "value": shown},
        )
    return value


#: what a Linux account name may be (useradd's default NAME_REGEX, without the trailing '$')
_ACCOUNT = re.compile(r"^[a-z_][a-z0-9_-]*$")
ACCOUNT_MAX = 32
_DIGESTED = re.compile(r"-[0-9a-f]{8}$")
#: the prefix of every workspace's own operating-system account (``mlplat-alice``)
ACCOUNT_PREFIX = "mlplat-"


def system_account(hub_user: str) -> str:
    """The operating-system account a hub user's workspace runs as, embedded.

    Hub names come from the login (an OIDC ``preferred_username`` may hold ``.``, ``@`` or
    capitals) while account names are short and plain, so the name is folded; whenever folding
    changed or shortened it, a digest of the hub name is added, so two people never share an
    account (``Anna.K@city`` and ``anna-k`` stay apart); a plain name that looks like a
    digested one is digested too, so nobody can pick a name that lands on someone's account.
    """
    folded = re.sub(r"[^a-z0-9_-]+", "-", hub_user.lower()).strip("-")
    name = ACCOUNT_PREFIX + folded
    plain = bool(folded) and folded == hub_user and not _DIGESTED.search(folded)
    if plain and len(name) <= ACCOUNT_MAX and _ACCOUNT.match(name):
        return name
    digest = hashlib.sha256(hub_user.encode()).hexdigest()[:8]
    head = name[: ACCOUNT_MAX - len(digest) - 1].rstrip("-")
    return f"{head}-{digest}"


_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")
LABEL_VALUE_MAX = 63


def label_value(text: str) -> str:
    """Any text (a hub name, a model name) as a Kubernetes label value, for selecting and
    showing, never for deciding who owns what.

    Label values allow only 63 letters, digits, ``-``, ``_`` and ``.`` with alphanumeric ends,
    while hub names come from the login; folding alone could make two people's values equal,
    so whenever it changed the text a digest of the text is added (``Anna.K@city`` →
    ``Anna.K-city-1f0c2a9b``), as ``system_account`` does.
    """
    if len(text) <= LABEL_VALUE_MAX and _LABEL_VALUE.match(text) and not _DIGESTED.search(text):
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    folded = re.sub(r"[^-A-Za-z0-9_.]+", "-", text)
    head = re.sub(r"^[^A-Za-z0-9]+", "", folded[: LABEL_VALUE_MAX - len(digest) - 1])
    head = re.sub(r"[^A-Za-z0-9]+$", "", head)
    return f"{head}-{digest}" if head else digest


#: the longest registered model name we let reach MLflow (its own store keeps 256)
MODEL_NAME_MAX = 256
#: the platform's own MLflow identity: it alone writes the catalog's registered models, so no
#: hub account may carry this name (the hub refuses it at login, the gateway refuses it always)
PLATFORM_IDENTITY = "mlplat-platform"


#: a registered model's name as the documents state it (``model_name`` checks the same): no
#: '/', ':', control or bidirectional character, and not only spaces
_NOT_IN_MODEL_NAME = "/:\\x00-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069"
MODEL_NAME_PATTERN = (
    f"^[^{_NOT_IN_MODEL_NAME}]*[^{_NOT_IN_MODEL_NAME}\\s\\ufeff][^{_NOT_IN_MODEL_NAME}]*$"
)
_BLANK = re.compile(r"^[\s\ufeff]*$")


def model_name(value: str, *, field: str = "name") -> str:
    """Check a registered model's name as MLflow will take it: not blank, no '/' or ':' (they
    split ``models:/name/version`` URIs), at most ``MODEL_NAME_MAX`` characters, and no control
    or bidirectional characters (a name shown in lists must read as what it is)."""
    shown = value[:100]
    if _BLANK.match(value):
        raise NameInvalid(
            f"{field} must not be empty", field, params={"field": field, "rule": "empty"}
        )
    if len(value) > MODEL_NAME_MAX:
        raise NameInvalid(
            f"{field} must be at most {MODEL_NAME_MAX} characters",
            field,
            params={"field": field, "rule": "too_long", "limit": MODEL_NAME_MAX},
        )
    if (
        "/" in value
        or ":" in value
        or text_problem(value) is not None
        # MLflow keeps a model's files under its name: it refuses names a path would rewrite
        or value == "."
        or value.startswith("..")
    ):
        raise NameInvalid(
            f"{field} {shown!r} may not contain '/', ':' or control characters",
            field,
            params={"field": field, "rule": "characters", "value": shown},
        )
    return value


def catalog_name(value: str, *, field: str = "catalog_name") -> str:
    """Check the name a model gets in the catalog: a DNS-1123 label, because it later names the
    model's deployments (Kubernetes objects and URLs) as well as ``catalog.<name>`` in MLflow."""
    return dns_label(value, field=field)


#: the longest deployment name: its workloads are ``{name}-v{version}``, which must stay a
#: DNS-1123 label (63) with room for a ten-digit MLflow version
DEPLOYMENT_NAME_MAX = 40
#: an MLflow model version as a deployment names it (a whole number from 1)
MODEL_VERSION_PATTERN = "^[1-9][0-9]{0,9}$"
_MODEL_VERSION = re.compile(MODEL_VERSION_PATTERN)


def deployment_name(value: str, *, field: str = "name") -> str:
    """Check a deployment's name: a DNS-1123 label short enough to name its workloads, its
    Kubernetes objects and its URL."""
    if len(value) > DEPLOYMENT_NAME_MAX:
        raise NameInvalid(
            f"{field} must be at most {DEPLOYMENT_NAME_MAX} characters",
            field,
            params={"field": field, "rule": "too_long", "limit": DEPLOYMENT_NAME_MAX},
        )
    return dns_label(value, field=field)


def model_version(value: str, *, field: str = "version") -> str:
    """Check a model version a deployment serves: MLflow's whole number from 1."""
    if not _MODEL_VERSION.fullmatch(value):
        raise NameInvalid(
            f"{field} must be a model version number like 3",
            field,
            params={"field": field, "rule": "characters", "value": value[:100]},
        )
    return value


def platform_identity(user: str) -> bool:
    """Whether ``user`` is, however spelled, the platform's own MLflow identity."""
    return user.strip().casefold() == PLATFORM_IDENTITY


def text_problem(value: str, *, lines: bool = False, bidi: bool = False) -> str | None:
    """The rule ``value`` breaks as text people read, or None: ``nul``, ``control`` (tab and
    line ends are allowed when ``lines``), ``bidi`` (unless ``bidi``: free text such as a
    commit message may quote right-to-left text with its marks)."""
    if "\x00" in value:
        return "nul"
    if (_CONTROL_LINES if lines else _CONTROL_ONE_LINE).search(value):
        return "control"
    if not bidi and _BIDI.search(value):
        return "bidi"
    return None


def _text_invalid(field: str, rule: str, limit: int | None = None) -> TextInvalid:
    what = {
        "nul": "must not contain a NUL character",
        "control": "must not contain control characters",
        "bidi": "must not contain bidirectional control characters",
        "too_long": f"must be at most {limit} characters long",
        "path_too_long": f"must be a path of at most {limit} bytes",
        "name_too_long": f"must not name a file or folder longer than {limit} bytes",
    }[rule]
    params: dict[str, str | int] = {"field": field, "rule": rule}
    if limit is not None:
        params["limit"] = limit
    return TextInvalid(f"{field} {what}", field, params=params)


def text(value: str, *, field: str, limit: int, lines: bool = False, bidi: bool = False) -> str:
    """Check free text a person typed (a commit message, a title): at most ``limit``
    characters, and nothing that hides what it says (see ``text_problem``)."""
    if len(value) > limit:
        raise _text_invalid(field, "too_long", limit)
    rule = text_problem(value, lines=lines, bidi=bidi)
    if rule is not None:
        raise _text_invalid(field, rule)
    return value


def file_path(value: str, *, field: str) -> str:
    """Check a path a person sent before it reaches the file system or git: no NUL (the system
    would cut the path there), at most ``PATH_MAX`` bytes, no name in it over ``FILE_NAME_MAX``.
    Other characters are the file system's business: any file a person has may be named."""
    if "\x00" in value:
        raise _text_invalid(field, "nul")
    encoded = value.encode(errors="surrogateescape")
    if len(encoded) > PATH_MAX:
        raise _text_invalid(field, "path_too_long", PATH_MAX)
    if any(len(part) > FILE_NAME_MAX for part in encoded.split(b"/")):
        raise _text_invalid(field, "name_too_long", FILE_NAME_MAX)
    return value


#: the longest object key S3 accepts (bytes of UTF-8)
OBJECT_KEY_MAX = 1024


def object_key(key: str, *, prefix: bool = False) -> str:
    """The canonical form of an object store key (``a//b/./c`` → ``a/b/c``), refused when it is
    absolute, climbs with ``..``, holds NUL or is too long. Every object store goes through
    here, so a key built from user text names the same object, and only an object of the
    store, whichever store holds it. ``prefix`` accepts the empty key and keeps a trailing
    ``/`` (a folder to list)."""
    if "\x00" in key:
        raise InvalidInput(f"object key {key[:100]!r} holds NUL", "key")
    if key.startswith("/") or key.startswith("\\"):
        raise InvalidInput(f"object key {key[:100]!r} must be a relative path", "key")
    parts = [part for part in key.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise InvalidInput(f"object key {key[:100]!r} must not contain '..'", "key")
    canonical = "/".join(parts)
    if prefix and canonical and key.endswith("/"):
        canonical += "/"
    if not canonical and not prefix:
        raise InvalidInput("object key must not be empty", "key")
    if len(canonical.encode()) > OBJECT_KEY_MAX:
        raise InvalidInput(f"object key must be at most {OBJECT_KEY_MAX} bytes", "key")
    return canonical
