"""Writers: one interface (write_node, write_edge, finalize), one class per target format."""

from loaders.writers.base import Writer, write_records
from loaders.writers.registry import WRITERS, get_writer

__all__ = ["WRITERS", "Writer", "get_writer", "write_records"]
