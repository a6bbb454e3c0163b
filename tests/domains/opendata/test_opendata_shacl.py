"""The DCAT-AP 3 export validates against the official DCAT-AP 3.0.0 SHACL shapes (pyshacl).

The shapes are shipped as test data (``data/dcat-ap-3.0.0-SHACL.ttl``, see ``data/SOURCES.md``).
Validation uses RDFS inference, as the shapes expect (e.g. ``sh:class rdfs:Resource`` on
``dcat:accessURL``); a graph with a mandatory property removed must be reported."""

from __future__ import annotations

import warnings
from pathlib import Path

import pyshacl
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SH
from rdflib.term import Node
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.opendata.models import OpenDataset

SHAPES_FILE = Path(__file__).parent / "data" / "dcat-ap-3.0.0-SHACL.ttl"


@pytest.fixture(scope="module")
def shapes() -> Graph:
    g = Graph().parse(SHAPES_FILE, format="turtle")
    assert (None, SH.targetClass, DCAT.Dataset) in g  # the real shapes, not an empty file
    return g


def _validate(data: Graph, shapes: Graph) -> tuple[bool, Graph, str]:
    conforms, results, text = pyshacl.validate(
        data, shacl_graph=shapes, inference="rdfs", abort_on_first=False
    )
    assert isinstance(results, Graph) and isinstance(text, str)
    return bool(conforms), results, text


def _violations(results: Graph) -> set[tuple[Node | None, Node | None, Node | None]]:
    """(focus node, path, constraint component) of every violation reported."""
    return {
        (
            results.value(r, SH.focusNode),
            results.value(r, SH.resultPath),
            results.value(r, SH.sourceConstraintComponent),
        )
        for r in results.subjects(RDF.type, SH.ValidationResult)
        if results.value(r, SH.resultSeverity) == SH.Violation
    }


def _dataset(session: Session) -> OpenDataset:
    stmt = select(OpenDataset).where(OpenDataset.state == "active").order_by(OpenDataset.name)
    ds = session.scalars(stmt).first()
    assert ds is not None, "the demo world has no open dataset"
    return ds


def _dataset_graph(client: TestClient, name: str) -> Graph:
    r = client.get(f"/open/dataset/{name}.ttl")
    assert r.status_code == 200, r.text
    return Graph().parse(data=r.text, format="turtle")


def test_catalog_first_page_conforms(client: TestClient, shapes: Graph) -> None:
    r = client.get("/catalog.ttl")
    assert r.status_code == 200, r.text
    g = Graph().parse(data=r.text, format="turtle")
    (cat,) = list(g.subjects(RDF.type, DCAT.Catalog))
    datasets = list(g.objects(cat, DCAT.dataset))
    assert datasets and all((d, RDF.type, DCAT.Dataset) in g for d in datasets)
    conforms, _, text = _validate(g, shapes)
    assert conforms, f"/catalog.ttl does not conform to DCAT-AP 3.0.0:\n{text}"


def test_dataset_turtle_and_jsonld_conform(
    client: TestClient, session: Session, shapes: Graph
) -> None:
    ds = _dataset(session)
    ttl = _dataset_graph(client, ds.name)
    assert list(ttl.objects(URIRef(f"http://testserver/open/dataset/{ds.name}"), DCAT.distribution))
    conforms, _, text = _validate(ttl, shapes)
    assert conforms, f"/open/dataset/{ds.name}.ttl does not conform to DCAT-AP 3.0.0:\n{text}"
    r = client.get(f"/open/dataset/{ds.name}.jsonld")
    assert r.status_code == 200, r.text
    with warnings.catch_warnings():  # rdflib's own JSON-LD parser uses its ConjunctiveGraph
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        jsonld = Graph().parse(data=r.text, format="json-ld")
    conforms, _, text = _validate(jsonld, shapes)
    assert conforms, f"/open/dataset/{ds.name}.jsonld does not conform to DCAT-AP 3.0.0:\n{text}"


@pytest.mark.parametrize("prop", [DCTERMS.title, DCTERMS.description], ids=["title", "description"])
def test_dataset_without_mandatory_property_is_a_violation(
    client: TestClient, session: Session, shapes: Graph, prop: URIRef
) -> None:
    ds = _dataset(session)
    g = _dataset_graph(client, ds.name)
    node = URIRef(f"http://testserver/open/dataset/{ds.name}")
    assert (node, prop, None) in g
    g.remove((node, prop, None))
    conforms, results, text = _validate(g, shapes)
    assert not conforms, text
    assert (node, prop, SH.MinCountConstraintComponent) in _violations(results), text


def test_distribution_without_access_url_and_nameless_publisher_are_violations(
    client: TestClient, session: Session, shapes: Graph
) -> None:
    ds = _dataset(session)
    g = _dataset_graph(client, ds.name)
    node = URIRef(f"http://testserver/open/dataset/{ds.name}")
    dist = next(iter(g.objects(node, DCAT.distribution)))
    publisher = g.value(node, DCTERMS.publisher)
    assert isinstance(publisher, URIRef) and (publisher, RDF.type, FOAF.Agent) in g
    g.remove((dist, DCAT.accessURL, None))
    g.remove((publisher, FOAF.name, None))
    conforms, results, text = _validate(g, shapes)
    assert not conforms, text
    found = _violations(results)
    assert (dist, DCAT.accessURL, SH.MinCountConstraintComponent) in found, text
    assert (publisher, FOAF.name, SH.MinCountConstraintComponent) in found, text
