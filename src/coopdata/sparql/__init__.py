"""SPARQL over a release or records: ``coopdata query`` and ``coopdata serve``."""
