"""The one place that decides which names may reach Kubernetes, MLflow or the file system.

User text never becomes a label, a path or a command without passing through here.
"""

from __future__ import annotations

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
