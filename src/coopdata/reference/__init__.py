"""The reference engine: rdflib graph builder, Frictionless table check and pyshacl.

Imported only by :mod:`coopdata.validate`'s engine switch and by the public API that
returns an rdflib ``Graph``."""
