"""Records out as IATI 2.03: activities and organisations written as a stream, checked by
the official schema and the IATI rules (``coopdata export-iati`` and the release)."""
