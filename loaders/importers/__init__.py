"""Importers: bring a team's own sources into the evidence base without hand-editing YAML.

One module per source format (:mod:`.bibliography` for BibTeX/RIS/CSL-JSON, :mod:`.hsds` for Open
Referral service directories, :mod:`.sheet` for the planners' program spreadsheet, :mod:`.ingest`
for reports). Each reads its input into pydantic-typed intermediate records, turns them into the
entry models of :mod:`loaders.entries` and hands them to :mod:`.base`, which writes ONE YAML file
per import under ``<evidence>/imports/`` — only after the whole resulting evidence base validated,
atomically, so a failed import leaves the evidence folder byte-for-byte unchanged. Ids are derived
from the input (DOI, normalised title/year/first author, HSDS ids, program names), so re-importing
the same input rewrites the same file with the same content.
"""
