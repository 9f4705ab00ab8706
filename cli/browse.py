"""Looking things up: ``stats``, ``search``, ``show``, ``paths``, ``shared``, ``coverage``.

Thin: open a backend (:func:`cli.helpers.open_for_cli`), call one :class:`graph.GraphBackend`
method, print a table or JSON.
"""

# No `from __future__ import annotations`: typer reads the option annotations at runtime.
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cli.helpers import (
    EXIT_UNKNOWN,
    EXIT_USAGE,
    BackendOpt,
    EvidenceOpt,
    JsonOpt,
    console,
    emit_json,
    fail,
    id_table,
    open_for_cli,
    run_guarded,
)
from graph.models import Path as GraphPath
from ontology.schema import LINK_BASES, flag_explanation

app = typer.Typer()


@app.command()
def stats(backend: BackendOpt = "embedded", evidence: EvidenceOpt = None,
          json_out: JsonOpt = False) -> None:
    """Counts of nodes per type and links per relation."""
    g = open_for_cli(backend, evidence)
    s = g.stats()
    if json_out:
        emit_json(s.to_dict())
        return
    t = Table(title=f"{s.nodes} nodes, {s.edges} links")
    t.add_column("type")
    t.add_column("count", justify="right")
    for k, v in s.by_category.items():
        t.add_row(k, str(v))
    t2 = Table()
    t2.add_column("relation")
    t2.add_column("count", justify="right")
    for k, v in s.by_predicate.items():
        t2.add_row(k, str(v))
    console.print(t)
    console.print(t2)


@app.command()
def search(text: str, type_: Annotated[list[str] | None, typer.Option(
               "--type", "-t", help="Only these types (repeatable), e.g. RiskFactor.")] = None,
           limit: int = 20, backend: BackendOpt = "embedded", evidence: EvidenceOpt = None,
           json_out: JsonOpt = False) -> None:
    """Find nodes by label or synonym ('foster care', 'DMST', 'IPV')."""
    g = open_for_cli(backend, evidence)
    hits = run_guarded(lambda: g.search(text, type_, limit=limit))
    if json_out:
        emit_json([h.to_dict() for h in hits])
        return
    if not hits:
        console.print(f"no match for {text!r}")
        raise typer.Exit(EXIT_UNKNOWN)
    # the id column keeps its full width (you copy ids from here); the others wrap
    console.print(id_table(("id", "type", "label", "matched", "score"),
                           [(h.node.id, h.node.category, h.node.label, h.matched, h.score)
                            for h in hits], ids={"id"}))


@app.command()
def show(node_id: str, backend: BackendOpt = "embedded", evidence: EvidenceOpt = None,
         json_out: JsonOpt = False) -> None:
    """A node with its definition, synonyms, links and the evidence behind them."""
    g = open_for_cli(backend, evidence)
    node = run_guarded(lambda: g.node(node_id))
    nbrs = g.neighbors(node_id)
    claims = g.evidence_for(node_id)
    if json_out:
        emit_json({"node": node.to_dict(), "neighbors": [n.to_dict() for n in nbrs],
                   "evidence": [c.to_dict() for c in claims]})
        return
    console.print(f"[bold]{node.label}[/]  ({node.category}, {node.id})")
    if node.alt_labels:
        console.print("also: " + ", ".join(node.alt_labels))
    if node.definition:
        console.print(node.definition)
    for s in node.sources:
        console.print(f"[dim]source: {s.get('citation')} — {s.get('locator') or ''}[/]")
    if nbrs:
        t = Table(title="links")
        for col in ("relation", "node", "type", "claims", "basis"):
            t.add_column(col)
        for n in nbrs:
            rel = n.predicate if n.direction == "out" else f"← {n.predicate}"
            t.add_row(rel, f"{n.node.label} ({n.node.id})", n.node.category, str(len(n.claims)),
                      n.basis)
        console.print(t)
        if any(n.basis == "inferred" for n in nbrs):
            console.print(f"[dim]inferred: {LINK_BASES['inferred'].explanation}[/]")
    if node.category == "Collection":
        for i, item in enumerate(node.properties.get("items") or [], 1):
            console.print(f"  {i}. {item}")
        for i, m in enumerate(g.collection_members(node_id), 1):
            console.print(f"  {i}. {m.label} ({m.id})")
    for c in claims:
        cites = "; ".join(ci.short() for ci in c.citations) or "no citation"
        flags = f" [yellow]{escape('[' + ', '.join(c.flags) + ']')}[/]" if c.flags else ""
        doc = c.stated_in.title if c.stated_in else "?"
        console.print(f"• {c.statement}{flags}\n  [dim]{cites} · stated in {doc}, "
                      f"{c.locator}[/]")
        for f in c.flags:  # every flag explained from the one table (ontology.schema)
            console.print(f"  [yellow]{escape(flag_explanation(f))}[/]", highlight=False)
        if "contested" in c.flags and c.note:
            console.print(f"  [yellow]Why contested: {escape(c.note)}[/]", highlight=False)


def format_path(p: GraphPath) -> str:
    parts = [p.nodes[0].label]
    for h in p.hops:
        nc, nq = len(h.claims), len(h.citations)
        ev = (f" [{nc} claim{'s' * (nc != 1)}/{nq} citation{'s' * (nq != 1)}]"
              if h.claims else "")
        if h.basis == "inferred":
            ev += " (inferred by the curators)"
        arrow = f"—{h.predicate}→" if h.forward else f"←{h.predicate}—"
        parts.append(f" {arrow}{ev} {h.target.label}")
    return "".join(parts)


@app.command()
def paths(from_id: str, to: Annotated[str | None, typer.Option(
              "--to", help="Destination type, e.g. Intervention, PreventionStrategy, Claim.")]
          = None, to_id: Annotated[str | None, typer.Option(
              "--to-id", help="Or one destination node id.")] = None,
          max_hops: int = 4, limit: int = 10,
          stated_only: Annotated[bool, typer.Option(
              "--stated-only", help="Leave out links the curators inferred (walk only links "
                                    "a document states).")] = False,
          backend: BackendOpt = "embedded",
          evidence: EvidenceOpt = None, json_out: JsonOpt = False) -> None:
    """Ranked paths from a node to a type of node, each hop with its evidence and basis.

    Ranked by evidence, then specificity (hops with claims first; a route through an umbrella
    category after a more specific one), grouped by destination; see docs/curation.md."""
    g = open_for_cli(backend, evidence)
    if to is None and to_id is None:
        fail("give --to TYPE or --to-id ID", EXIT_USAGE)
    found = run_guarded(lambda: g.paths(from_id, to, to_id=to_id, max_hops=max_hops,
                                        limit=limit, include_inferred=not stated_only))
    if json_out:
        emit_json([{"route": [n.id for n in p.nodes], "hops": [h.to_dict() for h in p.hops],
                    "claims": list(p.claims), "citations": list(p.citations)} for p in found])
        return
    if not found:
        console.print(f"no path from {from_id} to {to or to_id} within {max_hops} hops")
        raise typer.Exit(EXIT_UNKNOWN)
    for i, p in enumerate(found, 1):
        console.print(f"{i}. {format_path(p)}", highlight=False)


@app.command()
def shared(a_id: str, b_id: str, via: Annotated[str | None, typer.Option(
               "--via", help="Only this type, e.g. ControlTactic.")] = None,
           inherit: Annotated[bool, typer.Option(
               "--inherit", help="Count what holds for broader categories too (tactics of "
                                 "human trafficking for sex trafficking).")] = False,
           backend: BackendOpt = "embedded", evidence: EvidenceOpt = None,
           json_out: JsonOpt = False) -> None:
    """What two nodes have in common, and what is unique to each."""
    g = open_for_cli(backend, evidence)
    r = run_guarded(lambda: g.shared(a_id, b_id, via, include_broader=inherit))
    if json_out:
        emit_json(r.to_dict())
        return
    for title, items in ((f"shared by {r.a.label} and {r.b.label}", r.shared),
                         (f"only {r.a.label}", r.only_a), (f"only {r.b.label}", r.only_b)):
        console.print(id_table(("id", "type", "node"),
                               [(it.node.id, it.node.category, it.node.label) for it in items],
                               ids={"id"}, title=f"{title} ({len(items)})"))


#: Narrowest a count column may get, so its header wraps onto a few lines instead of one
#: character per line (the coverage matrix is paged across the width instead).
COUNT_COL_WIDTH = 12


@app.command()
def coverage(rows: str = "Harm", cols: str = "PreventionStrategy",
             via: str = "Intervention", backend: BackendOpt = "embedded",
             evidence: EvidenceOpt = None, json_out: JsonOpt = False,
             csv_out: Annotated[bool, typer.Option(
                 "--csv", help="Print the whole matrix as CSV (ids and labels, one row per "
                               "row node).")] = False,
             transpose: Annotated[bool, typer.Option(
                 "--transpose", help="Swap rows and columns in the table.")] = False) -> None:
    """Service-gap matrix: how many interventions cover each row × column (0 = gap).

    The table is paged across the terminal's width (each page repeats the row labels) so
    every column header stays readable; --csv gives the whole matrix for a spreadsheet."""
    g = open_for_cli(backend, evidence)
    cov = run_guarded(lambda: g.coverage(rows, cols, via=via))
    if json_out:
        emit_json(cov.to_dict())
        return
    matrix = cov.matrix()
    if csv_out:
        import sys

        from loaders import csvsafe

        w = csvsafe.writer(sys.stdout, lineterminator="\n")
        w.writerow([f"{rows} id", rows, *(f"{c.label} ({c.id})" for c in cov.cols)])
        for r, counts in zip(cov.rows, matrix, strict=True):
            w.writerow([r.id, r.label, *counts])
        return
    row_nodes, col_nodes, row_name, col_name = cov.rows, cov.cols, rows, cols
    if transpose:
        row_nodes, col_nodes, row_name, col_name = cov.cols, cov.rows, cols, rows
        matrix = [list(x) for x in zip(*matrix, strict=True)] if matrix else []
    label_w = min(28, max([len(row_name), *(len(r.label) for r in row_nodes)]))
    per_page = max(1, (console.width - label_w - 4) // (COUNT_COL_WIDTH + 3))
    pages = [range(i, min(i + per_page, len(col_nodes)))
             for i in range(0, len(col_nodes), per_page)] or [range(0)]
    for page in pages:
        more = f", columns {page.start + 1}-{page.stop} of {len(col_nodes)}" \
            if len(pages) > 1 else ""
        t = Table(title=f"{row_name} × {col_name} ({via} per cell; 0 = gap{more})")
        t.add_column(row_name, width=label_w, overflow="fold")
        for j in page:
            t.add_column(col_nodes[j].label, justify="right", width=COUNT_COL_WIDTH,
                         overflow="fold")
        for r, counts in zip(row_nodes, matrix, strict=True):
            t.add_row(r.label, *(str(counts[j]) if counts[j] else "[red]0[/]" for j in page))
        console.print(t)
