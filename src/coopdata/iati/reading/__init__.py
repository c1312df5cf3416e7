"""IATI activity files in: read safely as a stream, mapped into records, written into a
records folder with the account of every path carried and dropped (``coopdata import-iati``)."""
