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
    seed: Annotated[int, typer.Option(help="Random seed of the generated base.")] = 7,
    density: Annotated[float, typer.Option(help="Scale of every mean degree.")] = 1.0,
    queries: Annotated[int, typer.Option(help="Queries per kind (paths: a quarter).")] = 200,
    out: Annotated[Path, typer.Option("--json", help="Where to write the JSON results.")] = Path(
        "benchmarks/results/latest.json"),
    workdir: Annotated[Path | None, typer.Option(help="Where the synthetic base goes "
                                                      "(default: a temp folder).")] = None,
    neo4j: Annotated[bool, typer.Option(help="Run the Neo4j phase when NEO4J_URI is set. It "
                                             "EMPTIES that database's evidence dataset: use "
                                             "a throw-away server.")] = True,
    explorer: Annotated[bool, typer.Option(help="Time explorer callbacks over HTTP.")] = True,
    explorer_neo4j: Annotated[bool, typer.Option(help="Also time them on Neo4j.")] = False,
    shacl_full_timeout: Annotated[float, typer.Option(
        help="Stop the full-pyshacl 'before' measurement after this many seconds "
             "(0 = skip it).")] = 300.0,
    per_row_sample: Annotated[int, typer.Option(
        help="Nodes in the per-row Neo4j sample (per-row over everything takes hours).")] = 2_000,
    batch_size: Annotated[int, typer.Option(help="Rows per batched Neo4j transaction.")] = 1_000,
) -> None:
    """Generate a base, run every phase, print one table and write JSON."""
    from benchmarks.runner import Options, format_table, run, write_json
    from cli.helpers import EXIT_USAGE, fail

    if nodes < 200:
        fail("use at least 200 nodes", EXIT_USAGE)
    opts = Options(nodes=nodes, seed=seed, density=density, queries=queries, workdir=workdir,
                   neo4j=neo4j, explorer=explorer, explorer_neo4j=explorer_neo4j,
                   shacl_full_timeout_s=shacl_full_timeout, per_row_sample=per_row_sample,
                   batch_size=batch_size)
    result = run(opts, log=lambda m: typer.echo(f"· {m}", err=True))
    typer.echo(format_table(result))
    write_json(result, out)
    typer.echo(f"JSON: {out}")


def main() -> None:  # ``python -m benchmarks.cli``
    bench_app()


if __name__ == "__main__":
    main()
