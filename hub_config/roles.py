# Groups → hub roles → the platform's custom scopes, shared by the embedded and the cluster hub
# (each loads it with load_subconfig). The platform derives a person's roles from these scopes.
# Group names are the organisation's: set MLPLAT_*_GROUPS (comma-separated) to match its IdP.
from jupyterlab_mlplat.hub.groups import RoleGroups

c = get_config()
groups = RoleGroups.from_environment()

c.JupyterHub.custom_scopes = {
    "custom:mlplat:review": {"description": "Review and approve model publications."},
    "custom:mlplat:admin": {
        "description": "Administer the ML platform: profiles, audit, all deployments."
    },
    "custom:mlplat:instruct": {"description": "Write the instructions panel."},
    "custom:mlplat:read-profiles": {
        "description": "Read every workspace profile (the hub's spawner builds the spawn page)."
    },
    "custom:mlplat:record-events": {
        "description": "Record in the audit log what people changed in MLflow (the MLflow gateway)."
    },
    "custom:mlplat:route-deployments": {
        "description": "Read where every deployment's ready workloads answer (the invocations "
        "gateway)."
    },
    "custom:mlplat:check-keys": {
        "description": "Check the API keys external systems call with (the invocations gateway)."
    },
    "custom:mlplat:report-traffic": {
        "description": "Report each deployment's requests, errors and latency per minute (the "
        "invocations gateway)."
    },
}
c.JupyterHub.load_roles = [
    # every user may use the platform service, MLflow, and call deployments with their token
    {
        "name": "user",
        "scopes": [
            "self",
            "access:services!service=mlplat",
            "access:services!service=mlflow",
            "access:services!service=deployments",
        ],
    },
    {
        "name": "mlplat-reviewer",
        "groups": list(groups.reviewers),
        "scopes": ["custom:mlplat:review"],
    },
    {"name": "mlplat-admin", "groups": list(groups.admins), "scopes": ["custom:mlplat:admin"]},
    {
        "name": "mlplat-instructor",
        "groups": list(groups.instructors),
        "scopes": ["custom:mlplat:instruct"],
    },
    # the platform reads who is who for the admin console's people view (read-only): users
    # with their groups and last activity, and the roles of users and groups with their scopes
    {
        "name": "mlplat-platform",
        "services": ["mlplat"],
        "scopes": [
            "list:users",
            "read:users",
            "list:groups",
            "read:groups",
            "read:roles",
            # the usage sampler: every running server's profile and last activity, and the
            # embedded spawner's pid of it (its state) to measure the process
            "read:servers",
            "admin:server_state",
        ],
    },
    # the spawner reads the live profiles from the platform with this service's token
    {
        "name": "mlplat-spawner",
        "services": ["mlplat-spawner"],
        "scopes": ["access:services!service=mlplat", "custom:mlplat:read-profiles"],
    },
]

# the server's token carries exactly the platform roles its user holds (the hub keeps the subset)
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    "read:users:groups!user",
    "access:services!service=mlplat",
    "access:services!service=mlflow",
    "access:services!service=deployments",
    "custom:mlplat:review",
    "custom:mlplat:admin",
    "custom:mlplat:instruct",
]
