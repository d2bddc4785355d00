"""JupyterHub as the embedded workbench runs it: the same application, stopping in seconds.

JupyterHub's cleanup stops the managed services one after the other, and only then the
people's servers, each by SIGINT and then waiting with a back-off that grows to five seconds
between looks: with the platform, MLflow, its gateway and a few servers a stop took from 8 to
60 seconds. Every one of these processes is a tether (``hub/tether.py``) that takes SIGTERM as
"stop your command, then end what is left", bounded in time, and nothing here depends on an
order (no service acts on the servers while the hub stops). So this hub sends SIGTERM to all of
them at once, looks every tenth of a second until they are gone, and then lets JupyterHub's
own cleanup do its bookkeeping, which finds them stopped. mlplat-embedded execs this module in
place of ``python -m jupyterhub``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from typing import Any

from jupyterhub.app import JupyterHub

#: how long the hub waits for its services and servers before JupyterHub's own cleanup (which
#: escalates to SIGKILL); each tether gives its command 4 s and what is left 1 s more
STOP_WAIT = 7.0


class EmbeddedHub(JupyterHub):
    async def cleanup(self) -> None:
        spawners: list[Any] = [
            service.spawner
            for service in self._service_map.values()
            if service.managed and service.spawner
        ]
        if self.cleanup_servers:
            spawners += [
                spawner
                for user in self.users.values()
                for spawner in user.spawners.values()
                if spawner.active
            ]
        running = [spawner for spawner in spawners if spawner.pid]
        self.log.info("Stopping %i services and servers at once...", len(running))
        for spawner in running:
            # a service whose process ends is restarted by its poll: not while the hub stops
            spawner.stop_polling()
            with contextlib.suppress(ProcessLookupError):
                os.kill(spawner.pid, signal.SIGTERM)
        deadline = asyncio.get_running_loop().time() + STOP_WAIT
        while running and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.1)
            running = [spawner for spawner in running if await spawner.poll() is None]
        await super().cleanup()


main = EmbeddedHub.launch_instance

if __name__ == "__main__":
    main()
