"""Performance benchmarks: a synthetic evidence-base generator and a runner.

``python -m benchmarks.cli`` / ``intersections bench run`` measure validate+load, Neo4j loads
(batched and per row), query latency on both backends, explorer callbacks over HTTP and peak
memory at a chosen scale. See BENCHMARKS.md for results and how to reproduce them.
"""
