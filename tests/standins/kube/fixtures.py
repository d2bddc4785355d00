"""Fixtures for tests against the emulated Kubernetes API (see tests/standins/kube/apiserver.py),
loaded for the whole suite by tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client, config

from tests.standins.kube.apiserver import KubeAPI


@pytest.fixture
def kube(tmp_path: Path) -> Iterator[KubeAPI]:
    """A running API with a kubelet whose logs and volumes stay in the test's tmp_path."""
    with KubeAPI(kubelet=True, kubelet_dir=tmp_path / "kubelet") as api:
        yield api
    assert api.failures == [], "the emulated API failed (see the log above)"


@pytest.fixture
def kubeconfig(kube: KubeAPI, tmp_path: Path) -> Path:
    return kube.write_kubeconfig(tmp_path / "kubeconfig.yaml")


@pytest.fixture
def core_v1(kubeconfig: Path) -> Iterator[client.CoreV1Api]:
    """The official client, configured the way the code under test configures it."""
    api_client = config.new_client_from_config(str(kubeconfig))
    with api_client:
        yield client.CoreV1Api(api_client)
