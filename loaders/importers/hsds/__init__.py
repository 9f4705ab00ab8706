"""Open Referral HSDS 3.0 service directories (what 211s and resource directories publish).

Input: the HSDS tabular **CSV data package**, or **JSON as an HSDS 3.0 API returns it** — single
service, organization and service-at-location objects with nested children, paginated lists of
them, plain lists, or an object of tables (:mod:`~loaders.importers.hsds.source` says which).
JSON is validated against the shipped HSDS 3.0 schemas (:mod:`~loaders.importers.hsds.schemas`).

Output: Organization, Intervention (one per active service, ``definition`` = the service
description) and Region nodes (service areas, and the cities of service locations under their
state), written to ``<evidence>/imports/hsds-<name>.yaml`` (:mod:`~loaders.importers.hsds.build`).
A small YAML **mapping file** relates the directory's taxonomy terms to our harms, risk factors,
populations and strategies (:mod:`~loaders.importers.hsds.mapping`), so a coalition's own directory
feeds the service-gap map; unmapped terms are warnings, not errors.
"""

from loaders.importers.hsds.build import HsdsImport, import_hsds
from loaders.importers.hsds.mapping import TaxonomyMapping, load_mapping
from loaders.importers.hsds.source import HsdsSource, kind_of

__all__ = ["HsdsImport", "HsdsSource", "TaxonomyMapping", "import_hsds", "kind_of",
           "load_mapping"]
