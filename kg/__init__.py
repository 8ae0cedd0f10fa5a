"""kg: build an RDF knowledge graph from a folder of article summaries."""

__version__ = "0.1.0"
