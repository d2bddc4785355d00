"""The one place that decides which names may reach Kubernetes, MLflow or the file system.

User text never becomes a label, a path or a command without passing through here.
"""

from __future__ import annotations

import hashlib
import re

from jupyterlab_mlplat.core.kernel.errors import NameInvalid

_DNS_1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_LABEL_MAX = 63
RESERVED = frozenset({"default", "kube-system", "kube-public", "kube-node-lease", "api", "new"})


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
    if not _DNS_1123_LABEL.match(value):
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
