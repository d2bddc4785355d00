"""deploy/ is applied to real clusters, which this machine lacks: every manifest is validated
against the Kubernetes OpenAPI schemas, and the chart values point at files that exist."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
KUSTOMIZE = ROOT / "deploy" / "kustomize"


def _documents() -> list[tuple[str, dict[str, object]]]:
    found = []
    for path in sorted(KUSTOMIZE.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for document in yaml.safe_load_all(path.read_text()):
            found.append(
                (f"{path.name}:{document['kind']}/{document['metadata']['name']}", document)
            )
    return found


@pytest.mark.parametrize(("name", "manifest"), _documents(), ids=[n for n, _ in _documents()])
def test_every_manifest_is_valid_for_kubernetes(name: str, manifest: dict[str, object]) -> None:
    version = kubernetes_validate.latest_version()
    kubernetes_validate.validate(manifest, version, strict=True)


def test_the_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((KUSTOMIZE / "kustomization.yaml").read_text())
    files = {p.name for p in KUSTOMIZE.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files


def test_the_platform_reads_the_secrets_the_readme_names() -> None:
    platform = next(d for n, d in _documents() if n.endswith("Deployment/mlplat-platform"))
    text = yaml.safe_dump(platform)
    for key in ("db-url", "hub-api-token", "token-key", "mlplat-objects-s3"):
        assert key in text
    # the object store is the S3 one, with its keys as files
    assert "jupyterlab_mlplat.adapters.s3.S3ObjectStore" in text
    assert "--PlatformApp.s3_secret_key_file=/etc/mlplat/s3/secret-key" in text
    assert "/services/mlplat/api/v1/health" in text


def test_the_chart_values_load_our_cluster_config() -> None:
    values = yaml.safe_load((ROOT / "deploy" / "z2jh" / "values.yaml").read_text())
    snippet = values["hub"]["extraConfig"]["mlplat"]
    assert "/srv/mlplat/hub_config/jupyterhub_config_cluster.py" in snippet
    assert (ROOT / "hub_config" / "jupyterhub_config_cluster.py").is_file()
    required = {
        "MLPLAT_OIDC_AUTHORIZE_URL",
        "MLPLAT_OIDC_TOKEN_URL",
        "MLPLAT_OIDC_USERDATA_URL",
        "MLPLAT_OIDC_CLIENT_ID",
        "MLPLAT_OIDC_CLIENT_SECRET",
        "MLPLAT_SPAWNER_TOKEN",
        "JUPYTERHUB_CRYPT_KEY",
    }
    assert required <= set(values["hub"]["extraEnv"])
    config = (ROOT / "hub_config" / "jupyterhub_config_cluster.py").read_text()
    for variable in required - {"JUPYTERHUB_CRYPT_KEY"}:
        assert variable in config + (ROOT / "hub_config" / "oidc.py").read_text()
