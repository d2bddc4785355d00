"""What people changed in MLflow, as the MLflow gateway reports it, for the audit log."""

from __future__ import annotations

from jupyterlab_mlplat.api.experiments import PrivacyEvent
from jupyterlab_mlplat.api.openapi import operation
from jupyterlab_mlplat.core.kernel.identity import RECORD_EVENTS_SCOPE
from jupyterlab_mlplat.platform.base import PlatformHandler


class PrivacyEventHandler(PlatformHandler):
    route_name = "experiment_privacy_event"
    allows_services = True

    @operation(
        "Record that a person made an experiment private or public in MLflow (the MLflow "
        "gateway's service token, scope custom:mlplat:record-events).",
        {204: (None, "Recorded in the audit log.")},
        body=PrivacyEvent,
        grant=RECORD_EVENTS_SCOPE,
    )
    async def post(self, experiment_id: str) -> None:
        event = self.parse(PrivacyEvent)
        await self.run(
            self.services.experiment_events.privacy_changed,
            self.identity,
            experiment_id,
            actor=event.actor,
            private=event.private,
        )
        self.send_empty()


ROUTES: list[tuple[str, type[PlatformHandler]]] = [
    ("api/v1/experiments/(?P<experiment_id>[^/]+)/privacy-events", PrivacyEventHandler),
]
