"""The embedded workbench's spawner: local processes, one home per user, workspace profiles.

KubeSpawner has ``profile_list``; a local process spawner does not, so this one renders the same
profiles (read live from the platform) with the same template, checks the same quotas, and
applies what a local process can honour (environment, the limits as advisory
``MEM_LIMIT``/``CPU_LIMIT``). What it cannot enforce — GPUs, node selectors, images — it shows
rather than pretends. Whether a profile can start is weighed against this machine
(``core.profiles.capacity.machine_headroom``, docs/capacity.md), and a start the page marks
"cannot start now" is refused with the same reason.

When the hub runs as root each person's server runs as their own operating-system account
(``mlplat-alice``) in a home only that account can enter, as The Littlest JupyterHub does; the
operating system then keeps people apart. Otherwise every server runs as the hub's own user, and
the spawn page says that the workbench is single-trust.
"""

from __future__ import annotations

import asyncio
import getpass
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Bool, Float, Unicode, default

from jupyterlab_mlplat.adapters.local.accounts import (
    Account,
    ensure_account,
    hand_over,
    separate_accounts_possible,
)
from jupyterlab_mlplat.adapters.local.machine import this_machine
from jupyterlab_mlplat.adapters.local.priority import restore_priority
from jupyterlab_mlplat.core.kernel.naming import system_account
from jupyterlab_mlplat.core.profiles.capacity import Headroom, machine_headroom
from jupyterlab_mlplat.core.profiles.resources import pod_resources, profile_environment
from jupyterlab_mlplat.core.profiles.rules import Profile

from .profiles import ProfileSpawnerMixin, render_profile_form

#: what the spawn page says of a GPU profile on a machine that cannot give a process a GPU
NO_LOCAL_GPU = "The embedded workbench runs on this machine's CPU: the GPU is not given here."
#: what the spawn page says when every server runs as the hub's own user
SINGLE_TRUST = (
    "Single-trust workbench: every workspace runs as the account {account}, so people here can "
    "read each other's files. Start the workbench as root to give each person an account."
)


def local_limits(profile: Profile) -> dict[str, Any]:
    """The limits a local process spawner takes (advisory: exported as MEM_LIMIT/CPU_LIMIT),
    from the one ``pod_resources`` answer."""
    res = pod_resources(profile)
    return {
        "mem_limit": res.mem_limit_bytes,
        "mem_guarantee": res.mem_guarantee_bytes,
        "cpu_limit": res.cpu_limit_cores,
        "cpu_guarantee": res.cpu_guarantee_cores,
    }


class EmbeddedProfileSpawner(ProfileSpawnerMixin, LocalProcessSpawner):
    home_dir_template = Unicode(
        "/home/{username}",
        help="Each person's home; {username} is the hub user name, e.g. var/home/{username}.",
    ).tag(config=True)

    own_accounts = Bool(
        help="Run each person's server as their own operating-system account (made on first "
        "spawn, mlplat-<name>, no login shell, a 0700 home). Needs the hub to run as root; "
        "defaults to whether it does. Off, every server runs as the hub's user (single-trust)."
    ).tag(config=True)

    cpu_allocation_ratio = Float(
        16.0,
        help="How far the CPU guarantees of all running servers may add up beyond this "
        "machine's CPUs, e.g. 16: a shared CPU only slows down, and idle notebooks use little. "
        "A single server is never promised more than the machine has.",
    ).tag(config=True)

    memory_allocation_ratio = Float(
        1.5,
        help="How far the memory guarantees of all running servers may add up beyond this "
        "machine's memory, e.g. 1.5 (1.0 to promise no more than there is). A server also "
        "starts only when its guarantee is free at that moment.",
    ).tag(config=True)

    @default("own_accounts")
    def _own_accounts_default(self) -> bool:
        return separate_accounts_possible()

    @property
    def home_dir(self) -> str:
        return self.home_dir_template.format(username=self.user.name)

    @property
    def account_name(self) -> str:
        return system_account(self.user.name) if self.own_accounts else getpass.getuser()

    @default("options_form")
    def _profiles_form(self) -> Any:
        return type(self).render_profiles_form

    async def render_profiles_form(self) -> str:
        """The spawn page: one choice per profile this user's groups may start."""
        profile_list = await self.platform_profile_list()
        _ = self.page_translator()
        trust = None if self.own_accounts else _(SINGLE_TRUST).format(account=self.account_name)
        return render_profile_form(profile_list, self.user_options or {}, trust_note=trust)

    def options_from_form(self, formdata: dict[str, list[str]]) -> dict[str, Any]:
        return {"profile": (formdata.get("profile") or [""])[0]}

    def override_for(self, profile: Profile) -> dict[str, Any]:
        return local_limits(profile)

    async def headroom(self, profiles: Sequence[Profile]) -> dict[str, Headroom]:
        return self.machine_headroom(profiles)

    def machine_headroom(self, profiles: Sequence[Profile]) -> dict[str, Headroom]:
        """This machine against what the hub's other servers were guaranteed.

        Synchronous on purpose: ``start`` weighs the profile and records the new server's own
        guarantees with no ``await`` between, so two starts at once cannot both take the last
        room. Servers still starting count (``active``); their guarantees are set in ``start``.
        """
        promised = [
            (other.cpu_guarantee or 0.0, other.mem_guarantee or 0)
            for user in self.user.settings["users"].values()
            for other in user.spawners.values()
            if other is not self and other.active
        ]
        machine = this_machine(
            promised,
            cpu_ratio=self.cpu_allocation_ratio,
            memory_ratio=self.memory_allocation_ratio,
        )
        return {p.slug: machine_headroom(p, machine) for p in profiles}

    async def platform_profile_list(self, _spawner: Any = None) -> list[dict[str, Any]]:
        entries = await super().platform_profile_list(_spawner)
        _ = self.page_translator()
        for entry in entries:
            if entry["mlplat"]["gpu"]:
                entry["mlplat"]["note"] = _(NO_LOCAL_GPU)
        return entries

    def make_preexec_fn(self, name: str) -> Callable[[], None]:
        """Run in the child before the server starts: become the person's account (when there
        is one) and start in their home. The home comes from here, not /etc/passwd, because one
        account serves every data directory the machine runs."""
        home = self.home_dir
        if not self.own_accounts:

            def single_trust() -> None:
                os.makedirs(home, 0o700, exist_ok=True)
                os.chdir(home)

            return single_trust
        account = self._account
        if account is None:
            raise RuntimeError("the account is made in start()")

        def become() -> None:
            os.setgroups([])
            os.setgid(account.gid)
            os.setuid(account.uid)
            os.umask(0o077)
            os.chdir(home)

        return become

    _account: Account | None = None

    def user_env(self, env: dict[str, str]) -> dict[str, str]:
        env["USER"] = env["LOGNAME"] = self.account_name
        env["HOME"] = self.home_dir
        env["SHELL"] = "/bin/bash"
        # git in the workspace (the Git tab, kernels, MLflow's tags) never climbs out of the
        # home into a repository around it, such as a checkout the data directory sits in
        env["GIT_CEILING_DIRECTORIES"] = str(Path(self.home_dir).parent)
        return env

    async def move_certs(self, paths: dict[str, str]) -> dict[str, str]:
        return paths  # the embedded hub talks to its servers on loopback without internal TLS

    async def start(self) -> Any:
        profile = self.chosen_profile(await self.allowed_profiles())
        self.enforce_quota(profile)
        # no await from here until the guarantees are set: see machine_headroom
        self.enforce_headroom(profile, self.machine_headroom([profile])[profile.slug])
        self.log.info("starting %s with profile %s", self.user.name, profile.slug)
        self.environment = {**self.environment, **profile_environment(profile)}
        for name, value in local_limits(profile).items():
            setattr(self, name, value)
        if self.own_accounts:
            self._account = await asyncio.to_thread(self._prepare_account)
        elif os.getuid() == 0 and "--ServerApp.allow_root=True" not in self.args:
            # single-trust by choice while the hub runs as root; jupyter refuses root otherwise
            self.log.warning("%s's server runs as root: own_accounts is off", self.user.name)
            self.args = [*self.args, "--ServerApp.allow_root=True"]
        url = await super().start()
        if os.getuid() == 0:
            self._priority_task = asyncio.ensure_future(self._restore_priority_when_up(url))
        return url

    async def _restore_priority_when_up(self, url: Any) -> None:
        """The server starts under ``nice`` (hub_config) so that a spawn storm leaves the hub
        responsive; once it listens it gets the default priority back, so the person's sidebar
        and kernels do not wait behind every busy process (adapters/local/priority.py)."""
        host, port = url  # LocalProcessSpawner answers (ip, port)
        deadline = asyncio.get_running_loop().time() + self.http_timeout
        while asyncio.get_running_loop().time() < deadline and self.pid:
            try:
                _, writer = await asyncio.open_connection(host or "127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.5)
                continue
            writer.close()
            changed = await asyncio.to_thread(restore_priority, self.pid)
            self.log.debug("%s's server answers; %d processes at nice 0", self.user.name, changed)
            return

    def _prepare_account(self) -> Account:
        """The person's account and home, made on their first spawn; a home from before
        accounts existed (owned by root) is handed to them whole."""
        account = ensure_account(
            self.account_name,
            system=False,
            comment=f"jupyterlab-mlplat workspace of {self.user.name}",
        )
        hand_over(Path(self.home_dir), account, 0o700)
        return account
