"""A catalog written the way publishing writes it: through ``CatalogTx``, in one transaction a
publication, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from jupyterlab_mlplat.adapters.sql.store import SqlStore
from jupyterlab_mlplat.core.catalog.records import (
    AliasMove,
    CatalogVersion,
    EntryCard,
    Lineage,
)
from jupyterlab_mlplat.core.models.card import ModelCard

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def card(
    name: str,
    description: str,
    *,
    text: str = "",
    tags: tuple[str, ...] = (),
    task: str = "classification",
    framework: str = "sklearn",
    team: str = "data-scientists",
    license: str = "MIT",
    language: str = "ru",
) -> EntryCard:
    model_card = ModelCard(
        catalog_name=name,
        description=description,
        limitations=text,
        tags=list(tags),
        task=task,
        framework=framework,
        license=license,
        language=language,  # type: ignore[arg-type]
    )
    return EntryCard(
        name=name,
        mlflow_name=f"catalog.{name}",
        description=description,
        card_text=model_card.search_text(),
        tags=tags,
        task=task,
        framework=framework,
        team=team,
        license=license,
        card=model_card.model_dump(mode="json"),
    )


def publish(
    store: SqlStore,
    entry: EntryCard,
    *,
    version: int = 1,
    publication_id: int = 1,
    at: datetime = T0,
    metrics: dict[str, float] | None = None,
) -> None:
    """What the last approval does to the catalog, in one transaction."""
    with store.transaction("mlplat-platform") as tx:
        current = tx.catalog_entry_for_update(entry.name)
        tx.upsert_catalog_entry(entry, at=at)
        tx.add_catalog_version(
            entry.name,
            CatalogVersion(
                version=version,
                publication_id=publication_id,
                published_at=at,
                published_by="rita",
                lineage=Lineage(
                    source_model=f"alice-{entry.name}",
                    source_version=version + 2,
                    run_id=f"run{version}",
                    commit="0123abc",
                    repository_url="https://gitlab.example.org/alice/churn",
                    notebook="train.ipynb",
                    params={"max_depth": "6"},
                ),
                metrics=metrics or {"auc": 0.9},
            ),
        )
        tx.record_alias_move(
            entry.name,
            AliasMove(
                alias="champion",
                from_version=current.aliases.get("champion") if current else None,
                to_version=version,
                moved_by="mlplat-platform",
                moved_at=at,
                publication_id=publication_id,
                comment="approved by rita",
            ),
        )
        tx.audit("publication.published", "publication", str(publication_id))


CATALOG = [
    card(
        "churn",
        "Модель оттока абонентов городской связи",
        text="Модель предсказывает, что абонент уйдёт в течение месяца.",
        tags=("отток", "телеком"),
    ),
    card(
        "traffic-jams",
        "Forecasts road traffic congestion by district",
        text="Gradient boosting over sensor counts; weak on holidays.",
        tags=("traffic", "transport"),
        task="regression",
        framework="xgboost",
        team="transport",
        license="Apache-2.0",
        language="en",
    ),
    card(
        "housing-prices",
        "Оценка стоимости жилья по районам",
        text="Регрессия на данных сделок; плохо работает для новостроек.",
        tags=("недвижимость",),
        task="regression",
        framework="lightgbm",
        team="economics",
    ),
    card(
        "pothole-detector",
        "Detects potholes in road photos",
        text="A convolutional model trained on city maintenance photos.",
        tags=("vision", "roads"),
        task="object-detection",
        framework="pytorch",
        team="transport",
        license="Apache-2.0",
        language="en",
    ),
]


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.from_url(database_url)
    yield opened
    opened.close()


@pytest.fixture
def catalog(store: SqlStore) -> SqlStore:
    for i, entry in enumerate(CATALOG):
        publish(store, entry, publication_id=i + 1, at=T0 + timedelta(hours=i))
    return store
