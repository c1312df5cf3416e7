"""SHACL, the fast engine: the shapes compiled once into checks (core constraints and
SHACL-SPARQL), run on the data's N-Triples, and their results as findings."""
