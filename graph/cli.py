"""The ``intersections`` command. Thin: parse options, call plain functions, print.

Exit codes: 0 ok · 1 invalid input or failed check (message says what to fix) · 2 usage error ·
3 unknown id (nearest ids suggested) · 4 backend unreachable.
Other command groups (Neo4j loading, the explorer, importers, queries) live next to their code and
register themselves through :data:`COMMAND_MODULES`.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from graph.backend import GraphBackend, UnknownNodeError
from graph.models import Path as GraphPath
from loaders.errors import IntersectionsError, ValidationFailed

app = typer.Typer(
    name="intersections",
    help="Knowledge graph and evidence explorer: human trafficking, intimate partner violence, "
         "sexual violence and child welfare.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
err = Console(stderr=True)

EXIT_INVALID, EXIT_USAGE, EXIT_UNKNOWN, EXIT_BACKEND = 1, 2, 3, 4

#: Modules that add commands: each defines ``register(app: typer.Typer) -> None``.
COMMAND_MODULES = (
    "graph.cli_neo4j",
    "explorer.cli",
    "loaders.importers.cli",
    "graph.cli_query",
    "benchmarks.cli",
)

EvidenceOpt = Annotated[Path | None, typer.Option(
    "--evidence", "-e", help="Evidence-base folder (default: the shipped one).",
    envvar="INTERSECTIONS_EVIDENCE")]
BackendOpt = Annotated[str, typer.Option(
    "--backend", "-b", help="embedded (networkx, default) or neo4j (NEO4J_URI/…).",
    envvar="INTERSECTIONS_BACKEND")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def fail(message: str, code: int) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def run_guarded(fn: Callable[[], Any]) -> Any:
    """Turn user mistakes into one clear message and a meaningful exit code."""
    try:
        return fn()
    except ValidationFailed as exc:
        err.print(str(exc), highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_INVALID) from None
    except UnknownNodeError as exc:
        fail(str(exc), EXIT_UNKNOWN)
    except IntersectionsError as exc:
        fail(str(exc), getattr(exc, "exit_code", EXIT_INVALID))
    except (ValueError, FileNotFoundError) as exc:
        fail(str(exc), EXIT_USAGE)


def open_for_cli(backend: str, evidence: Path | None) -> GraphBackend:
    from graph.api import open_backend

    return run_guarded(lambda: open_backend(backend, evidence=evidence))


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


# --------------------------------------------------------------------------- commands
@app.command()
def validate(evidence: EvidenceOpt = None, json_out: JsonOpt = False) -> None:
    """Check the evidence base (schema, ids, references, claims, SHACL) without loading it."""
    from loaders.evidence import load_evidence_base

    eb = run_guarded(lambda: load_evidence_base(evidence, use_cache=False))
    counts = eb.counts()
    if json_out:
        emit_json({"valid": True, "nodes": len(eb.nodes), "edges": len(eb.edges),
                   "by_category": counts})
        return
    console.print(f"[green]valid[/]: {len(eb.nodes)} entries, {len(eb.edges)} links "
                  f"({eb.origin})")


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
    t = Table()
    for col in ("id", "type", "label", "matched", "score"):
        t.add_column(col)
    for h in hits:
        t.add_row(h.node.id, h.node.category, h.node.label, h.matched, str(h.score))
    console.print(t)


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
        for col in ("relation", "node", "type", "claims"):
            t.add_column(col)
        for n in nbrs:
            rel = n.predicate if n.direction == "out" else f"← {n.predicate}"
            t.add_row(rel, f"{n.node.label} ({n.node.id})", n.node.category, str(len(n.claims)))
        console.print(t)
    for c in claims:
        cites = "; ".join(ci.short() for ci in c.citations) or "no citation"
        flags = f" [yellow][{', '.join(c.flags)}][/]" if c.flags else ""
        doc = c.stated_in.title if c.stated_in else "?"
        console.print(f"• {c.statement}{flags}\n  [dim]{cites} · stated in {doc}, "
                      f"{c.locator}[/]")


def format_path(p: GraphPath) -> str:
    parts = [p.nodes[0].label]
    for h in p.hops:
        ev = f" [{len(h.claims)} claims/{len(h.citations)} citations]" if h.claims else ""
        arrow = f"—{h.predicate}→" if h.forward else f"←{h.predicate}—"
        parts.append(f" {arrow}{ev} {h.target.label}")
    return "".join(parts)


@app.command()
def paths(from_id: str, to: Annotated[str | None, typer.Option(
              "--to", help="Destination type, e.g. Intervention, PreventionStrategy, Claim.")]
          = None, to_id: Annotated[str | None, typer.Option(
              "--to-id", help="Or one destination node id.")] = None,
          max_hops: int = 4, limit: int = 10, backend: BackendOpt = "embedded",
          evidence: EvidenceOpt = None, json_out: JsonOpt = False) -> None:
    """Ranked paths from a node to a type of node, each hop with its evidence."""
    g = open_for_cli(backend, evidence)
    if to is None and to_id is None:
        fail("give --to TYPE or --to-id ID", EXIT_USAGE)
    found = run_guarded(lambda: g.paths(from_id, to, to_id=to_id, max_hops=max_hops,
                                        limit=limit))
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
        t = Table(title=f"{title} ({len(items)})")
        t.add_column("type")
        t.add_column("node")
        for it in items:
            t.add_row(it.node.category, f"{it.node.label} ({it.node.id})")
        console.print(t)


@app.command()
def coverage(rows: str = "Harm", cols: str = "PreventionStrategy",
             via: str = "Intervention", backend: BackendOpt = "embedded",
             evidence: EvidenceOpt = None, json_out: JsonOpt = False) -> None:
    """Service-gap matrix: how many interventions cover each row × column (0 = gap)."""
    g = open_for_cli(backend, evidence)
    cov = run_guarded(lambda: g.coverage(rows, cols, via=via))
    if json_out:
        emit_json(cov.to_dict())
        return
    t = Table(title=f"{rows} × {cols} ({via} per cell)")
    t.add_column(rows)
    for c in cov.cols:
        t.add_column(c.label, justify="right")
    for r, counts in zip(cov.rows, cov.matrix(), strict=True):
        t.add_row(r.label, *(str(n) if n else "[red]·[/]" for n in counts))
    console.print(t)


@app.command()
def export(fmt: Annotated[str, typer.Option("--format", "-f",
                                            help="ttl, jsonld, nt, graphml or csv.")],
           out: Annotated[Path, typer.Option("--out", "-o", help="File (folder for csv).")],
           evidence: EvidenceOpt = None) -> None:
    """Write the validated evidence base as RDF, GraphML or CSV."""
    from loaders.evidence import load_evidence_base
    from loaders.writers import get_writer, write_records

    def go() -> Any:
        writer = get_writer(fmt, out)
        eb = load_evidence_base(evidence, use_cache=False)
        return write_records(eb.records(), writer), eb

    _, eb = run_guarded(go)
    console.print(f"wrote {len(eb.nodes)} entries and {len(eb.edges)} links to {out} ({fmt})")


@app.command()
def ontology(out_dir: Annotated[Path | None, typer.Option(
        help="Where to write intersections.ttl and shapes.ttl (default: the package).")]
        = None) -> None:
    """Regenerate the ontology and SHACL Turtle files from ontology/schema.py."""
    from ontology.build import HERE, write

    for p in write(out_dir or HERE):
        console.print(f"wrote {p}")


def _register_extensions() -> None:
    for mod_name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(mod_name)
        except ModuleNotFoundError as exc:
            if exc.name and mod_name.startswith(exc.name):
                continue  # that part of the product is not installed/written yet
            raise
        mod.register(app)


_register_extensions()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
