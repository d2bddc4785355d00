"""Why the people view can be empty."""

from __future__ import annotations

from jupyterlab_mlplat.core.kernel.errors import Unavailable


class HubRefused(Unavailable):
    """The hub refused the platform's token (``params.status``): its role lacks the scopes
    ``list:users``, ``read:users``, ``list:groups``, ``read:groups`` or ``read:roles``."""

    reason = "people_hub_refused"
