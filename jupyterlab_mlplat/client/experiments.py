"""What people changed in MLflow, reported by the MLflow gateway for the audit log."""

from __future__ import annotations

from urllib.parse import quote

from jupyterlab_mlplat.api.experiments import PrivacyEvent

from .transport import Transport


class ExperimentCalls(Transport):
    async def record_privacy(self, experiment_id: str, *, actor: str, private: bool) -> None:
        path = f"api/v1/experiments/{quote(experiment_id, safe='')}/privacy-events"
        body = PrivacyEvent(actor=actor, private=private).model_dump()
        await self._send_raw("POST", path, body)
