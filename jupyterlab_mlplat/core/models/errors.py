"""What can go wrong with a person's models or a catalog copy, each with its own reason code so
the sidebar can say it in the person's language."""

from __future__ import annotations

from jupyterlab_mlplat.core.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound


class ModelNotFound(NotFound):
    """``params.name``: no registered model of that name, or not one the person may read."""

    reason = "model_not_found"


class ModelVersionNotFound(NotFound):
    """``params.name``, ``params.version``: no such version, or not one the person may read."""

    reason = "model_version_not_found"


class LoggedModelNotFound(NotFound):
    """``params.run_id``: the run has no logged model of that id or artifact path."""

    reason = "logged_model_not_found"


class ModelNameTaken(Forbidden):
    """``params.name``: another person created a registered model of this name (MLflow lets
    only its creator add versions); ``params.owner`` names them when known."""

    reason = "model_name_taken"


class CatalogReadOnly(Forbidden):
    """``params.prefix``: registered models under the catalog's prefix are written only by the
    platform, through a review (publish); nobody changes them directly."""

    reason = "catalog_read_only"


class PlatformIdentityReserved(Forbidden):
    """The platform's own MLflow identity is not a person's account."""

    reason = "platform_identity_reserved"


class VersionIdInvalid(InvalidInput):
    """``params.version``: a model version is a whole number from 1."""

    reason = "model_version_invalid"


class RegistrationFailed(Conflict):
    """``params.name``, ``params.version``: MLflow could not finish registering the version
    (its status is FAILED_REGISTRATION)."""

    reason = "model_registration_failed"
