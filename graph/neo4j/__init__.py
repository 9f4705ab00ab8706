"""Everything Neo4j in one place: connection settings, errors, the backend, the loader (writer)
and the researchers' Cypher console; all Cypher text is built in :mod:`graph.neo4j.cypher`.

Modules: :mod:`~graph.neo4j.settings` (``Neo4jSettings``, read from the environment here and
nowhere else), :mod:`~graph.neo4j.errors`, :mod:`~graph.neo4j.backend` (``Neo4jBackend``),
:mod:`~graph.neo4j.loader` (``load_neo4j``, ``unload_neo4j``) and :mod:`~graph.neo4j.console`
(``CypherConsole``). Importing this package does not import the driver.
"""

from graph.neo4j.settings import Neo4jSettings

__all__ = ["Neo4jSettings"]
