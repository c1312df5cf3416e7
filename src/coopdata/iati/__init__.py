"""IATI activity files in and out of coopdata's records.

The reading side: :mod:`.read` streams the ``iati-activity`` elements of a file with a
safe parser, :mod:`.mapping` turns one activity into a project record (and the
organisations it names; with :mod:`.mapplaces`, :mod:`.mapfinance`, :mod:`.mapresults`,
on :mod:`.mapstate` and :mod:`.mapvalues`), :mod:`.importer` writes the records of many
files into a records folder (the activities mapped in :mod:`.importstream`, by one
process or several), and :mod:`.paths` counts which element and attribute paths were
carried. The mapping, element by element, is ``docs/iati.md``.

Import from the modules themselves (``from coopdata.iati.importer import import_iati``):
this package imports nothing, so that the writer does not load the reader.
"""
