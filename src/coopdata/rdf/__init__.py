"""Records as RDF, the fast path: N-Triples terms, records → triples, Turtle and JSON-LD."""
