"""``intersections bench generate`` and ``intersections bench run`` (added to the app by
:mod:`cli.app`).

Thin commands over :func:`benchmarks.generator.generate` and :func:`benchmarks.runner.run`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

bench_app = typer.Typer(help="Performance: synthetic evidence bases and the benchmark suite.",
                        no_args_is_help=True)


@bench_app.command("generate")
def generate_cmd(
    out: Annotated[Path, typer.Argument(help="Folder to write (replaced if it exists).")],
    nodes: Annotated[int, typer.Option("--nodes", "-n", help="How many nodes.")] = 1_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same base).")] = 7,
    density: Annotated[float, typer.Option(help="Scale of every mean degree.")] = 1.0,
) -> None:
    """Write a valid synthetic evidence base (YAML) of the given size."""
    from benchmarks.generator import generate
    from cli.helpers import EXIT_USAGE, fail

    try:
        syn = generate(out, nodes, seed=seed, density=density)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
        return
    typer.echo(f"{syn.nodes:,} nodes, {syn.relationships:,} relationships in {syn.files} files "
               f"({syn.bytes / 1e6:.1f} MB) → {syn.path}")


@bench_app.command("run")
def run_cmd(
    nodes: Annotated[int, typer.Option("--nodes", "-n", help="Scale (nodes).")] = 1_000,
    runs: Annotated[int, typer.Option(help="Repeats of every target measurement (medians "
                                           "reported); 1 for a quick look.")] = 3,
    seed: Annotated[int, typer.Option(help="Random seed of the generated base.")] = 7,
    density: Annotated[float, typer.Option(help="Scale of every mean degree.")] = 1.0,
    queries: Annotated[int, typer.Option(help="Queries per kind (paths: a quarter).")] = 200,
    out: Annotated[Path, typer.Option("--json", help="Where to write the JSON results.")] = Path(
        "benchmarks/results/latest.json"),
    markdown: Annotated[Path | None, typer.Option(
        help="Where to write the targets table + all results as Markdown "
             "(default: the JSON path with .md).")] = None,
    sections: Annotated[str, typer.Option(
        help="Comma list of sections to run: embedded, coldstart, neo4j, explorer (the "
             "issue-17 targets, default) and shacl, hotspots (earlier before/after "
             "measurements).")] = "embedded,coldstart,neo4j,explorer",
    workdir: Annotated[Path | None, typer.Option(help="Where the synthetic base goes "
                                                      "(default: a temp folder).")] = None,
    neo4j: Annotated[bool, typer.Option(help="Run the Neo4j section when NEO4J_URI is set. It "
                                             "EMPTIES that database's evidence dataset: use "
                                             "a throw-away server.")] = True,
    explorer: Annotated[bool, typer.Option(help="Start the explorer (callbacks over HTTP, and "
                                                "serve → first page in coldstart).")] = True,
    explorer_neo4j: Annotated[bool, typer.Option(help="Also time callbacks on Neo4j.")] = False,
    shacl_full_timeout: Annotated[float, typer.Option(
        help="shacl section: stop the full-pyshacl 'before' measurement after this many "
             "seconds (0 = skip it).")] = 300.0,
    per_row_sample: Annotated[int, typer.Option(
        help="Nodes in a per-row vs batched Neo4j sample (the issue-5 comparison; one "
             "transaction per row runs at ~10-500 rows/s, so 2,000 nodes can take minutes; "
             "0 = leave it out, the default).")] = 0,
    batch_size: Annotated[int | None, typer.Option(
        help="Rows per batched Neo4j transaction (default: the loader's own, what users "
             "get).")] = None,
) -> None:
    """Generate a base, measure every issue-17 target in one run, print the tables and write
    JSON + Markdown (the targets table for BENCHMARKS.md)."""
    from benchmarks.runner import SECTIONS, Options, format_table, run, write_json, write_markdown
    from cli.helpers import EXIT_USAGE, fail

    if nodes < 200:
        fail("use at least 200 nodes", EXIT_USAGE)
    if runs < 1:
        fail("--runs must be at least 1", EXIT_USAGE)
    only = tuple(x.strip() for x in sections.split(",") if x.strip())
    unknown = sorted(set(only) - set(SECTIONS))
    if unknown:
        fail(f"unknown section(s) {', '.join(unknown)}; choose from "
             f"{', '.join(SECTIONS[1:])}", EXIT_USAGE)
    opts = Options(nodes=nodes, seed=seed, density=density, queries=queries, workdir=workdir,
                   runs=runs, only=only, neo4j=neo4j, explorer=explorer,
                   explorer_neo4j=explorer_neo4j, shacl_full_timeout_s=shacl_full_timeout,
                   per_row_sample=per_row_sample, batch_size=batch_size)
    result = run(opts, log=lambda m: typer.echo(f"· {m}", err=True))
    typer.echo(format_table(result))
    write_json(result, out)
    md = markdown or out.with_suffix(".md")
    write_markdown(result, md)
    typer.echo(f"JSON: {out}\nMarkdown (targets table for BENCHMARKS.md): {md}")


def main() -> None:  # ``python -m benchmarks.cli``
    bench_app()


if __name__ == "__main__":
    main()
