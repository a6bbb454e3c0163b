"""DCAT-AP 3 export: Turtle catalog paged hydra-style, each dataset as Turtle and JSON-LD.

Validation against the official DCAT-AP 3.0.0 SHACL shapes: test_opendata_shacl.py."""

from __future__ import annotations

import warnings

from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.opendata.dcat import HYDRA
from mudan.domains.opendata.models import OpenDataset


def test_catalog_pages_cover_every_dataset_once(client: TestClient, session: Session) -> None:
    names = set(session.scalars(select(OpenDataset.name).where(OpenDataset.state == "active")))
    seen: list[str] = []
    url: str | None = "/catalog.ttl?page=1&page_size=10"
    pages = 0
    while url:
        r = client.get(url)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
        g = Graph().parse(data=r.text, format="turtle")
        (cat,) = list(g.subjects(RDF.type, DCAT.Catalog))
        assert g.value(cat, DCTERMS.title) and g.value(cat, DCTERMS.description)
        assert (g.value(cat, DCTERMS.publisher), RDF.type, FOAF.Agent) in g
        for ds in g.objects(cat, DCAT.dataset):
            seen.append(str(g.value(ds, DCTERMS.identifier)))
            assert g.value(ds, DCTERMS.title) and g.value(ds, DCTERMS.description)
            dists = list(g.objects(ds, DCAT.distribution))
            assert len(dists) == 3 and all(g.value(d, DCAT.accessURL) for d in dists)
        (view,) = list(g.subjects(RDF.type, HYDRA.PartialCollectionView))
        assert int(g.value(view, HYDRA.totalItems)) == len(names)  # type: ignore[arg-type]
        nxt = g.value(view, HYDRA.next)
        url = str(nxt).replace("http://testserver", "") + "&page_size=10" if nxt else None
        pages += 1
    assert sorted(seen) == sorted(names) and pages == -(-len(names) // 10)
    assert client.get("/catalog.ttl?page=999").status_code == 422


def test_dataset_as_turtle_and_jsonld(client: TestClient, session: Session) -> None:
    ds = session.scalars(select(OpenDataset).where(OpenDataset.state == "active")).first()
    assert ds is not None
    ttl = Graph().parse(data=client.get(f"/open/dataset/{ds.name}.ttl").text, format="turtle")
    r = client.get(f"/open/dataset/{ds.name}.jsonld")
    assert r.headers["content-type"].startswith("application/ld+json")
    with warnings.catch_warnings():  # rdflib's own JSON-LD parser uses its ConjunctiveGraph
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        jsonld = Graph().parse(data=r.text, format="json-ld")
    assert len(ttl) == len(jsonld) > 20
    node = URIRef(f"http://testserver/open/dataset/{ds.name}")
    assert (node, RDF.type, DCAT.Dataset) in jsonld
    assert str(jsonld.value(node, DCTERMS.title)) == ds.title
    assert client.get("/open/dataset/nope.ttl").status_code == 404
