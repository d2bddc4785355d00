"""What can go wrong with a deployment or a size, each with its own reason so the Deployments
and Admin tabs can say it in the person's language. Someone else's model is the reviews room's
``not_your_model`` (``core/reviews/errors.py``): one reason for one refusal."""

from __future__ import annotations

from jupyterlab_mlplat.core.kernel.errors import Conflict, InvalidInput, NotFound


class DeploymentNotFound(NotFound):
    """No deployment of that name the caller may see (``params.name``): someone else's is not
    revealed."""

    reason = "deployment_not_found"


class DeploymentNameTaken(Conflict):
    """The name is in use on the platform (``params.name``, ``params.owner``); names are
    unique across everyone's deployments because they name URLs and workloads."""

    reason = "deployment_name_taken"


class DeploymentChanged(Conflict):
    """Somebody changed the deployment since the caller's page read it: ``params.by``,
    ``params.change`` (what they did), ``params.revision`` (now) and ``params.yours``.
    Nothing was changed."""

    reason = "deployment_changed"


class DeploymentStopping(Conflict):
    """The deployment was deleted and its workloads are being stopped (``params.name``):
    nothing may change it any more."""

    reason = "deployment_stopping"


class VersionNotPublished(Conflict):
    """Production serves only published versions of the catalog's model: ``params.model_name``,
    ``params.version``, ``params.state`` (``missing``, ``deprecated``)."""

    reason = "version_not_published"


class VersionNotReady(Conflict):
    """MLflow has not finished registering the version (``params.status``)."""

    reason = "version_not_ready"


class NoPreviousRevision(Conflict):
    """There is nothing to roll back to: the deployment has only its first revision."""

    reason = "no_previous_revision"


class NoCanary(Conflict):
    """Promote needs a canary; the deployment has none (``params.name``)."""

    reason = "no_canary"


class SameVersion(InvalidInput):
    """A canary or a shadow must be another version than the primary (``params.field``,
    ``params.version``), and not the same as each other."""

    reason = "deployment_version_repeated"


class SizeNotFound(NotFound):
    """No deployment size of that name (``params.size``)."""

    reason = "size_not_found"


class SizeNameTaken(Conflict):
    """A size of that name exists already (``params.size``)."""

    reason = "size_name_taken"


class SizeChanged(Conflict):
    """Somebody saved the size since the editor read it: ``params.by``, ``params.revision``,
    ``params.yours``."""

    reason = "size_changed"


class SizeInUse(Conflict):
    """A size that deployments use cannot be deleted (``params.size``, ``params.count``)."""

    reason = "size_in_use"


class SizeInvalid(InvalidInput):
    """A size's resources break a rule: ``params.field`` (``cpu``, ``memory``, ``replicas``,
    ``max_replicas``) and ``params.rule`` (``quantity``, ``too_large``, ``below_replicas``)."""

    reason = "size_invalid"


class LogsUnavailable(NotFound):
    """The deployment serves no such version, or its workload has no logs yet
    (``params.version``)."""

    reason = "deployment_logs_not_found"
