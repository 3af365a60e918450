"""Imports run one way: records at the bottom, views and admin at the top."""

from tests.import_graph import ROOT, import_graph


def test_no_package_imports_from_a_layer_above_or_beside_it():
    edges, problems = import_graph(ROOT)
    assert edges["views"]  # the graph was read
    assert problems == []
