"""About: what the data is, where it comes from, how to cite it and how to contribute."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from explorer.components import alert, citation_item
from explorer.state import BackendUnavailable, get_backend
from explorer.theme import type_label

dash.register_page(__name__, path="/about", name="About", order=90,
                   title="About · Intersections explorer")

INTRO = """
**Intersections** is an open knowledge graph and evidence explorer on how human trafficking
intersects with intimate partner and domestic violence, sexual violence and child welfare.
It links risk factors, harms, control tactics, indicators, barriers, prevention strategies,
interventions, organizations, populations and regions, and every link that states a risk or an
overlap carries the **claims** behind it: the statement, its numbers, the studies cited for it,
and where in which source document it was stated.

Figures that a source document gives without a citation are kept, written as what that
document says ("The Heart Betrayed description states …; it gives no source") and marked
**figure without a source**; a widely repeated figure with no study behind it is marked
**contested**, with the reason; definitions and descriptions with nothing to cite are
**descriptive**; figures cited through another publication are **secondary**. Every link says
whether a document **states** it or the curators **inferred** it (drawn dashed, with their
note). Nothing is hidden: the flags tell you how much weight a figure can bear.
"""

USE = """
- **Explore**: search a term (synonyms work: "foster care", "DMST", "IPV"), open a node to read
  its definition and evidence, and show the links of any neighbour.
- **Paths**: from a starting point to interventions, strategies or evidence, hop by hop.
- **Intersections**: what two harms share and what is particular to each.
- **Service gaps**: which combinations have interventions, and which have none.
- **Evidence**: every claim and citation, filterable, with CSV and BibTeX export.

Every view keeps its state in the address bar: copy the link to share or reopen it.
Trainers: the **Present** button gives large type and steps through a path or comparison one
hop at a time (arrow keys or the Next / Back buttons).
"""

CITE = """
Please cite the evidence base and, for any figure, the original study it names. The export on
the Evidence page gives BibTeX for every citation. The software is MIT-licensed.
"""

CONTRIBUTE = """
The evidence base is a folder of YAML files (`loaders/data/evidence/`). To add or correct an
entry, edit the YAML, run `intersections validate` (it names the file, line and what to fix),
and open a pull request. Each new claim needs its source document and locator; add citations
where the source gives them, and mark figures it does not source as `unsourced_figure` (and
attribute them to the document), definitions and descriptions as `descriptive`. The rules are
in docs/curation.md.

Language: this project uses person-first, trauma-informed wording ("a person experiencing
trafficking", "survivor"). Please keep to it.
"""


def _data_section() -> list[Any]:
    try:
        g = get_backend()
        s = g.stats()
        docs = [c for c in g.citations() if c.kind == "source_document"]
    except BackendUnavailable as exc:
        return [alert(str(exc))]
    counts = html.Ul([html.Li(f"{type_label(k)}: {v}") for k, v in s.by_category.items()],
                     className="stat-list")
    return [
        html.P(f"{s.nodes} entries and {s.edges} links, from {g.name} backend."),
        counts,
        html.H3("Source documents"),
        html.Ul([citation_item(c) for c in docs] or [html.Li("none yet")],
                className="citations"),
    ]


def layout(**_params: Any) -> html.Div:
    return html.Div([
        html.H1("About this explorer"),
        dcc.Markdown(INTRO),
        html.H2("What is in the evidence base"),
        *_data_section(),
        html.H2("How to use it"),
        dcc.Markdown(USE),
        html.H2("How to cite"),
        dcc.Markdown(CITE),
        html.H2("How to contribute"),
        dcc.Markdown(CONTRIBUTE),
    ], className="page page-about prose")
