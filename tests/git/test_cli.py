"""The git runner's helper for tokens: private to its server, and gone with it."""

from __future__ import annotations

import gc
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

from jupyterlab_mlplat.adapters.git import CliGit


def test_the_askpass_helper_is_private_and_removed_with_the_runner() -> None:
    runner = CliGit()
    script = runner._askpass_script()
    folder = script.parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(script.stat().st_mode) == 0o700
    del runner
    gc.collect()
    assert not folder.exists()


def test_a_server_that_exits_leaves_no_helper_folder_behind() -> None:
    program = textwrap.dedent(
        """
        from jupyterlab_mlplat.adapters.git import CliGit
        runner = CliGit()
        print(runner._askpass_script().parent)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    folder = done.stdout.strip()
    assert folder.startswith("/") and "mlplat-git-" in folder
    assert not Path(folder).exists()
