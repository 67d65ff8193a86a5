"""The three-node cluster the documentation tells users to start."""

from __future__ import annotations

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[1] / "deploy" / "opensearch" / "docker-compose.yml"


def test_the_compose_file_starts_three_nodes_that_find_each_other():
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    nodes = compose["services"]
    assert len(nodes) == 3
    for name, node in nodes.items():
        environment = node["environment"]
        assert environment["node.name"] == name
        assert environment["discovery.seed_hosts"].split(",") == sorted(nodes)
        assert environment["cluster.initial_cluster_manager_nodes"].split(",") == sorted(nodes)
        assert node["image"].startswith("opensearchproject/opensearch:2.")
        assert len(node["volumes"]) == 1
    # Without the security plugin it must not be reachable from other machines.
    assert [port for node in nodes.values() for port in node.get("ports", [])] == ["127.0.0.1:9200:9200"]
