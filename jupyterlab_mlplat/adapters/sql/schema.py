"""Table definitions of the metadata store, shared by the store adapter and the migrations' tests.

The migrations under ``migrations/versions`` are the source of truth for the database; this
module mirrors them for queries, and a test checks the two agree.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# SQLite only auto-increments an INTEGER PRIMARY KEY, PostgreSQL should use BIGINT for a log.
AuditId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

users = sa.Table(
    "users",
    metadata,
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("groups", sa.JSON, nullable=False),
    sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", AuditId, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(255), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("object_type", sa.String(100), nullable=False),
    sa.Column("object_id", sa.String(255), nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("request_id", sa.String(64), nullable=True),
    sa.Index("ix_audit_object", "object_type", "object_id"),
    sa.Index("ix_audit_at", "at"),
)

profiles = sa.Table(
    "profiles",
    metadata,
    sa.Column("slug", sa.String(63), primary_key=True),
    sa.Column("document", sa.JSON, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(255), nullable=False),
)

gitlab_tokens = sa.Table(
    "gitlab_tokens",
    metadata,
    sa.Column("user_name", sa.String(255), primary_key=True),
    sa.Column("ciphertext", sa.LargeBinary, nullable=False),
    sa.Column("gitlab_username", sa.String(255), nullable=False),
    sa.Column("hint", sa.String(8), nullable=False),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
)

# ---- the catalog (migration 0004). Its search machinery is dialect-specific and lives outside
# this metadata: ``catalog.py``'s include_object leaves it out of the comparison.
catalog_entries = sa.Table(
    "catalog_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(63), nullable=False, unique=True),
    sa.Column("mlflow_name", sa.String(256), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("card_text", sa.Text, nullable=False),
    sa.Column("card", sa.JSON, nullable=False),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("tags_text", sa.Text, nullable=False),
    sa.Column("task", sa.String(100), nullable=False),
    sa.Column("framework", sa.String(100), nullable=False),
    sa.Column("team", sa.String(255), nullable=False),
    sa.Column("license", sa.String(100), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("aliases", sa.JSON, nullable=False),
    sa.Column("latest_version", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    *(
        sa.Index(f"ix_catalog_entries_{column}", column)
        for column in ("task", "framework", "team", "license", "status", "updated_at")
    ),
    # each facet's value also as its code in catalog_facet_values (migration 0014): what a
    # search keeps and groups per match on PostgreSQL, narrower and cheaper than the text
    *(
        sa.Column(f"{facet}_code", sa.Integer, nullable=True)
        for facet in ("task", "framework", "team", "license", "status")
    ),
)

catalog_facet_values = sa.Table(
    "catalog_facet_values",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("facet", sa.String(20), nullable=False),
    sa.Column("value", sa.String(255), nullable=False),
    sa.UniqueConstraint("facet", "value", name="uq_catalog_facet_values_facet_value"),
)

catalog_versions = sa.Table(
    "catalog_versions",
    metadata,
    sa.Column(
        "entry_id",
        sa.Integer,
        sa.ForeignKey("catalog_entries.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("publication_id", sa.BigInteger, nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_by", sa.String(255), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("deprecated_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("metrics", sa.JSON, nullable=False),
    sa.Column("lineage", sa.JSON, nullable=False),
    sa.Index("ix_catalog_versions_publication", "publication_id"),
)

catalog_alias_moves = sa.Table(
    "catalog_alias_moves",
    metadata,
    sa.Column("id", AuditId, primary_key=True, autoincrement=True),
    sa.Column(
        "entry_id",
        sa.Integer,
        sa.ForeignKey("catalog_entries.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("alias", sa.String(255), nullable=False),
    sa.Column("from_version", sa.Integer, nullable=True),
    sa.Column("to_version", sa.Integer, nullable=False),
    sa.Column("moved_by", sa.String(255), nullable=False),
    sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("publication_id", sa.BigInteger, nullable=True),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Index("ix_catalog_alias_moves_entry", "entry_id", "id"),
)

# ---- publications and reviews (migration 0005)
publications = sa.Table(
    "publications",
    metadata,
    sa.Column("id", AuditId, primary_key=True, autoincrement=True),
    sa.Column("model_name", sa.String(256), nullable=False),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("author", sa.String(255), nullable=False),
    sa.Column("team", sa.String(255), nullable=False),
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("card", sa.JSON, nullable=False),
    # the card's catalog name, kept in a column so the champion of a name is one indexed read
    sa.Column("catalog_name", sa.String(63), nullable=True),
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("snapshot", sa.JSON, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(255), nullable=False),
    sa.Column("last_action", sa.String(32), nullable=False),
    sa.Column("publish_error", sa.Text, nullable=True),
    sa.Column("catalog_version", sa.String(64), nullable=True),
    sa.Column("champion", sa.Boolean, nullable=False),
    sa.Index("ix_publications_state", "state", "updated_at"),
    sa.Index("ix_publications_author", "author", "updated_at"),
    sa.Index("ix_publications_version", "model_name", "version"),
    sa.Index("ix_publications_catalog", "catalog_name", "champion"),
)

publication_steps = sa.Table(
    "publication_steps",
    metadata,
    sa.Column("id", AuditId, primary_key=True, autoincrement=True),
    sa.Column(
        "publication_id",
        AuditId,
        sa.ForeignKey("publications.id", name="fk_publication_steps_publication"),
        nullable=False,
    ),
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("actor", sa.String(255), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_publication_steps_publication", "publication_id", "id"),
)

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", AuditId, primary_key=True, autoincrement=True),
    sa.Column("recipient", sa.String(255), nullable=True),
    sa.Column("recipient_role", sa.String(32), nullable=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column(
        "publication_id",
        AuditId,
        sa.ForeignKey("publications.id", name="fk_notifications_publication"),
        nullable=True,  # none for news of a deployment (0008)
    ),
    sa.Column("model_name", sa.String(256), nullable=False),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("actor", sa.String(255), nullable=False),
    sa.Column("action", sa.String(32), nullable=True),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("deployment", sa.String(40), nullable=True),
    sa.Column("workspace", sa.String(255), nullable=True),  # 0012: news of a workspace
    sa.Index("ix_notifications_recipient", "recipient", "id"),
    sa.Index("ix_notifications_role", "recipient_role", "id"),
)

# ---- API keys (migration 0006)
api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", AuditId, primary_key=True, autoincrement=True),
    sa.Column("prefix", sa.String(16), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("owner", sa.String(255), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("deployments", sa.JSON, nullable=False),
    sa.Column("catalog_read", sa.Boolean, nullable=False),
    sa.Column("rate_limit", sa.Float, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_used_from", sa.String(255), nullable=True),
    sa.Column(
        "replaced_by",
        AuditId,
        sa.ForeignKey("api_keys.id", name="fk_api_keys_replaced_by"),
        nullable=True,
    ),
    sa.UniqueConstraint("prefix", name="uq_api_keys_prefix"),
    sa.Index("ix_api_keys_owner", "owner", "id"),
)

# ---- deployments (migration 0007)
deployment_sizes = sa.Table(
    "deployment_sizes",
    metadata,
    sa.Column("name", sa.String(63), primary_key=True),
    sa.Column("title", sa.String(100), nullable=False),
    sa.Column("cpu", sa.String(16), nullable=False),
    sa.Column("memory", sa.String(24), nullable=False),
    sa.Column("replicas", sa.Integer, nullable=False),
    sa.Column("max_replicas", sa.Integer, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(255), nullable=False),
)

deployments = sa.Table(
    "deployments",
    metadata,
    sa.Column("id", AuditId, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(40), nullable=False),
    sa.Column("owner", sa.String(255), nullable=False),
    sa.Column("stage", sa.String(16), nullable=False),
    sa.Column("model_name", sa.String(256), nullable=False),
    sa.Column("size", sa.String(63), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("spec", sa.JSON, nullable=False),
    sa.Column("served", sa.JSON, nullable=True),
    sa.Column("route", sa.JSON, nullable=False),
    sa.Column("phase", sa.String(16), nullable=False),
    sa.Column("workloads", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(255), nullable=False),
    sa.Column("last_change", sa.String(16), nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("sequence", sa.BigInteger, nullable=False),
    sa.Column("route_sequence", sa.BigInteger, nullable=False),
    sa.Index(
        "uq_deployments_live_name",
        "name",
        unique=True,
        sqlite_where=sa.text("stopped_at IS NULL"),
        postgresql_where=sa.text("stopped_at IS NULL"),
    ),
    sa.Index("ix_deployments_owner", "owner", "name"),
    sa.Index("ix_deployments_route_sequence", "route_sequence"),
)

deployment_revisions = sa.Table(
    "deployment_revisions",
    metadata,
    sa.Column(
        "deployment_id",
        AuditId,
        sa.ForeignKey("deployments.id", name="fk_deployment_revisions_deployment"),
        primary_key=True,
    ),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("spec", sa.JSON, nullable=False),
    sa.Column("change", sa.String(16), nullable=False),
    sa.Column("actor", sa.String(255), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("restored", sa.Integer, nullable=True),
)

deployment_sequence = sa.Table(
    "deployment_sequence",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("value", sa.BigInteger, nullable=False),
)

# ---- drift reports (migration 0008)
drift_reports = sa.Table(
    "drift_reports",
    metadata,
    sa.Column("id", AuditId, primary_key=True, autoincrement=True),
    sa.Column("deployment", sa.String(40), nullable=False),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
    sa.Column("window_end", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_sample", sa.String(1024), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("reference", sa.String(32), nullable=False),
    sa.Column("reference_rows", sa.Integer, nullable=False),
    sa.Column("features", sa.JSON, nullable=False),
    sa.Column("drifted_share", sa.Float, nullable=False),
    sa.Column("drifted", sa.Boolean, nullable=False),
    sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_drift_reports_version", "deployment", "version", "id"),
    sa.Index("ix_drift_reports_at", "deployment", "computed_at"),
)

# ---- deployment traffic (migration 0009)
#: one column per latency bucket of core/deployments/traffic.py, the slowest last
TRAFFIC_LATENCY_COLUMNS = (
    "ms_1", "ms_2", "ms_3", "ms_5", "ms_10", "ms_25", "ms_50", "ms_100", "ms_250", "ms_500",
    "ms_1000", "ms_2500", "ms_10000", "ms_over",
)  # fmt: skip
deployment_traffic = sa.Table(
    "deployment_traffic",
    metadata,
    sa.Column(
        "deployment_id",
        AuditId,
        sa.ForeignKey("deployments.id", name="fk_deployment_traffic_deployment"),
        primary_key=True,
    ),
    sa.Column("version", sa.String(64), primary_key=True),
    sa.Column("minute", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("gateway", sa.String(64), primary_key=True),
    sa.Column("deployment", sa.String(40), nullable=False),
    sa.Column("owner", sa.String(255), nullable=False),
    sa.Column("requests", sa.Integer, nullable=False),
    sa.Column("client_errors", sa.Integer, nullable=False),
    sa.Column("server_errors", sa.Integer, nullable=False),
    sa.Column("rate_limited", sa.Integer, nullable=False),
    *(sa.Column(name, sa.Integer, nullable=False) for name in TRAFFIC_LATENCY_COLUMNS),
    sa.Index("ix_deployment_traffic_minute", "minute"),
    sa.Index("ix_deployment_traffic_owner", "owner", "minute"),
)

# ---- instructions (migration 0010). Their search machinery is dialect-specific and lives outside
# this metadata: ``instructions.py``'s SEARCH names it for the comparison.
instruction_articles = sa.Table(
    "instruction_articles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("slug", sa.String(63), nullable=False, unique=True),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("position", sa.Integer, nullable=False, unique=True),
    sa.Column("content", sa.JSON, nullable=False),
    sa.Column("search_title", sa.Text, nullable=False),
    sa.Column("search_body", sa.Text, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(255), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(255), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("notebook", sa.JSON, nullable=True),
    sa.Column("starter", sa.Boolean, nullable=False),
)
_ARTICLE = "instruction_articles.id"
instruction_revisions = sa.Table(
    "instruction_revisions",
    metadata,
    sa.Column(
        "article_id", sa.Integer, sa.ForeignKey(_ARTICLE, ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("by", sa.String(255), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("changed", sa.JSON, nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("content", sa.JSON, nullable=False),
)
instruction_images = sa.Table(
    "instruction_images",
    metadata,
    sa.Column(
        "article_id", sa.Integer, sa.ForeignKey(_ARTICLE, ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("image_id", sa.String(40), primary_key=True),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("uploaded_by", sa.String(255), nullable=False),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
)
instruction_progress = sa.Table(
    "instruction_progress",
    metadata,
    sa.Column("user_name", sa.String(255), primary_key=True),
    sa.Column(
        "article_id", sa.Integer, sa.ForeignKey(_ARTICLE, ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("task", sa.String(32), primary_key=True),
    sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_instruction_progress_article", "article_id"),
)
instruction_seeds = sa.Table(
    "instruction_seeds",
    metadata,
    sa.Column("slug", sa.String(63), primary_key=True),
    sa.Column("seeded_at", sa.DateTime(timezone=True), nullable=False),
)

# ---- the admin console (migration 0011): live settings, and the audit log's filter indexes
settings = sa.Table(
    "settings",
    metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.JSON, nullable=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(255), nullable=False),
)
sa.Index("ix_audit_actor", audit.c.actor, audit.c.id)
sa.Index("ix_audit_action", audit.c.action, audit.c.id)

# ---- usage samples (migration 0012): raw minutes for a retention, daily sums kept
USAGE_SUMS = (
    "minutes",
    "cpu_requested_core_minutes",
    "cpu_used_core_minutes",
    "memory_requested_gib_minutes",
    "memory_used_gib_minutes",
    "gpu_minutes",
    "idle_minutes",
    "idle_gpu_minutes",
)
usage_samples = sa.Table(
    "usage_samples",
    metadata,
    sa.Column("minute", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("owner", sa.String(255), primary_key=True),
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("profile", sa.String(63), nullable=False),
    sa.Column("minutes", sa.Float, nullable=False),
    sa.Column("cpu_requested", sa.Float, nullable=False),
    sa.Column("cpu_used", sa.Float, nullable=False),
    sa.Column("memory_requested", sa.BigInteger, nullable=False),
    sa.Column("memory_used", sa.BigInteger, nullable=False),
    sa.Column("gpus", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("idle", sa.Boolean, nullable=False),
    sa.Index("ix_usage_samples_owner", "owner", "minute"),
)
usage_daily = sa.Table(
    "usage_daily",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("owner", sa.String(255), primary_key=True),
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("profile", sa.String(63), primary_key=True),
    *(sa.Column(name, sa.Float, nullable=False) for name in USAGE_SUMS),
    sa.Index("ix_usage_daily_owner", "owner", "day"),
)
usage_idle_stretches = sa.Table(
    "usage_idle_stretches",
    metadata,
    sa.Column("owner", sa.String(255), primary_key=True),
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("since", sa.DateTime(timezone=True), nullable=False),
    sa.Column("notified", sa.Boolean, nullable=False),
)
