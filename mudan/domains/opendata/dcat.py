"""DCAT-AP 3 export with rdflib: the catalog (paged, hydra-style) and each dataset.

IRIs are the portal's own pages: ``<base>/open/dataset/<name>`` for a dataset,
``…#<format>`` for its distributions, ``<base>/open/org/<code>`` for a publisher. Controlled
vocabularies are the EU Publications Office authority tables that DCAT-AP recommends
(frequency, access right, file type) and IANA media types.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from mudan.core.db import as_utc
from mudan.domains.catalog.codes import THEME_CODES
from mudan.domains.opendata.enums import LICENCES, MEDIA_TYPES, ResourceFormat
from mudan.domains.opendata.index import group_name
from mudan.domains.opendata.models import OpenDataset

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
FREQUENCY = {
    "realtime": "CONT",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "yearly": "ANNUAL",
}
FILE_TYPES = {ResourceFormat.CSV: "CSV", ResourceFormat.JSON: "JSON", ResourceFormat.XLSX: "XLSX"}
ACCESS = {"unconditional": "PUBLIC", "conditional": "RESTRICTED"}
DCAT_AP = URIRef("http://data.europa.eu/r5r/")
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")  # DCAT 3 (not in rdflib's namespace)


def _graph() -> Graph:
    g = Graph()
    for prefix, ns in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("skos", SKOS),
        ("vcard", VCARD),
        ("hydra", HYDRA),
    ):
        g.bind(prefix, ns)
    return g


def _when(value: datetime | None) -> Literal | None:
    if value is None:
        return None
    return Literal(as_utc(value).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)


def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def dataset_iri(base: str, ds: OpenDataset) -> URIRef:
    return URIRef(f"{base}/open/dataset/{ds.name}")


def _typed(g: Graph, iri: str, cls: URIRef, label: str | None = None) -> URIRef:
    node = URIRef(iri)
    g.add((node, RDF.type, cls))
    if label:
        g.add((node, SKOS.prefLabel, Literal(label)))
    return node


def _publisher(g: Graph, base: str, ds: OpenDataset) -> URIRef:
    agent = URIRef(f"{base}/open/org/{ds.department_code}")
    g.add((agent, RDF.type, FOAF.Agent))
    g.add((agent, FOAF.name, _zh(ds.department_name)))
    return agent


def add_dataset(g: Graph, base: str, ds: OpenDataset) -> URIRef:
    node = dataset_iri(base, ds)
    g.add((node, RDF.type, DCAT.Dataset))
    g.add((node, DCTERMS.title, _zh(ds.title)))
    g.add((node, DCTERMS.description, _zh(ds.notes or ds.title)))
    g.add((node, DCTERMS.identifier, Literal(ds.name)))
    g.add((node, DCTERMS.publisher, _publisher(g, base, ds)))
    for tag in ds.tags:
        g.add((node, DCAT.keyword, _zh(tag)))
    theme = URIRef(f"{base}/open/group/{group_name(ds.theme)}")
    g.add((theme, RDF.type, SKOS.Concept))
    g.add((theme, SKOS.prefLabel, _zh(ds.theme)))
    g.add((theme, SKOS.notation, Literal(THEME_CODES.get(ds.theme, "16"))))
    g.add((node, DCAT.theme, theme))
    freq = FREQUENCY.get(ds.update_cycle)
    if freq:
        g.add(
            (
                node,
                DCTERMS.accrualPeriodicity,
                _typed(g, f"{EU}frequency/{freq}", DCTERMS.Frequency),
            )
        )
    access = _typed(g, f"{EU}access-right/{ACCESS[ds.open_type]}", DCTERMS.RightsStatement)
    g.add((node, DCTERMS.accessRights, access))
    contact = BNode(f"contact-{ds.name}")
    # vcard:Kind explicitly too: DCAT-AP's shapes check sh:class vcard:Kind, and a validator
    # does not know that vcard:Organization is one without the vCard ontology.
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, _zh(ds.department_name)))
    g.add((node, DCAT.contactPoint, contact))
    page = URIRef(f"{base}/open/dataset/{ds.name}")
    g.add((node, DCAT.landingPage, page))
    g.add((page, RDF.type, FOAF.Document))
    for pred, value in ((DCTERMS.issued, ds.created_at), (DCTERMS.modified, ds.modified_at)):
        lit = _when(value)
        if lit is not None:
            g.add((node, pred, lit))
    g.add((node, DCAT_VERSION, Literal(str(ds.catalog_version))))
    for fmt in ResourceFormat:
        g.add((node, DCAT.distribution, _distribution(g, base, ds, fmt)))
    return node


def _distribution(g: Graph, base: str, ds: OpenDataset, fmt: ResourceFormat) -> URIRef:
    node = URIRef(f"{base}/open/dataset/{ds.name}#{fmt.value}")
    url = URIRef(f"{base}/open/dataset/{ds.name}/download.{fmt.value}")
    g.add((node, RDF.type, DCAT.Distribution))
    g.add((node, DCTERMS.title, _zh(f"{ds.title}（{fmt.value.upper()}）")))
    g.add((node, DCAT.accessURL, url))
    g.add((node, DCAT.downloadURL, url))
    g.add(
        (
            node,
            DCTERMS.format,
            _typed(g, f"{EU}file-type/{FILE_TYPES[fmt]}", DCTERMS.MediaTypeOrExtent),
        )
    )
    g.add((node, DCAT.mediaType, _typed(g, IANA + MEDIA_TYPES[fmt], DCTERMS.MediaType)))
    if ds.license_id in LICENCES:
        lic = _typed(g, LICENCES[ds.license_id][1], DCTERMS.LicenseDocument)
        g.add((node, DCTERMS.license, lic))
    lit = _when(ds.data_updated_at)
    if lit is not None:
        g.add((node, DCTERMS.modified, lit))
    return node


def catalog_graph(
    base: str, datasets: Sequence[OpenDataset], *, page: int, page_size: int, total: int
) -> Graph:
    g = _graph()
    cat = URIRef(f"{base}/catalog")
    g.add((cat, RDF.type, DCAT.Catalog))
    g.add((cat, DCTERMS.title, _zh("菏泽市公共数据开放目录")))
    g.add((cat, DCTERMS.description, _zh("菏泽市各部门依法开放的公共数据资源目录（DCAT-AP 3）。")))
    publisher = URIRef(f"{base}/open/org/bureau")
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, _zh("菏泽市大数据局")))
    g.add((cat, DCTERMS.publisher, publisher))
    homepage = URIRef(f"{base}/open")
    g.add((homepage, RDF.type, FOAF.Document))
    g.add((cat, FOAF.homepage, homepage))
    g.add((cat, DCTERMS.conformsTo, DCAT_AP))
    for ds in datasets:
        g.add((cat, DCAT.dataset, add_dataset(g, base, ds)))
    last = max(1, -(-total // page_size))
    view = URIRef(f"{base}/catalog.ttl?page={page}")
    g.add((view, RDF.type, HYDRA.PartialCollectionView))
    g.add((view, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    g.add((view, HYDRA.itemsPerPage, Literal(page_size, datatype=XSD.integer)))
    g.add((view, HYDRA.first, URIRef(f"{base}/catalog.ttl?page=1")))
    g.add((view, HYDRA.last, URIRef(f"{base}/catalog.ttl?page={last}")))
    if page > 1:
        g.add((view, HYDRA.previous, URIRef(f"{base}/catalog.ttl?page={page - 1}")))
    if page < last:
        g.add((view, HYDRA.next, URIRef(f"{base}/catalog.ttl?page={page + 1}")))
    g.add((cat, HYDRA.view, view))
    return g


def dataset_graph(base: str, ds: OpenDataset) -> Graph:
    g = _graph()
    add_dataset(g, base, ds)
    return g
