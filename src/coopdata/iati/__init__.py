"""IATI activity files in and out of coopdata's records, one folder each way.

- :mod:`coopdata.iati.reading`: :mod:`~coopdata.iati.reading.read` streams the
  ``iati-activity`` elements of a file with a safe parser, :mod:`~coopdata.iati.reading.mapping`
  turns one activity into a project record and the organisations it names (with ``mapplaces``,
  ``mapfinance``, ``mapresults``, on ``mapstate`` and ``mapvalues``), and
  :mod:`~coopdata.iati.reading.importer` writes the records of many files into a records folder
  (the activities mapped in ``importstream``, by one process or several).
- :mod:`coopdata.iati.writing`: records out as ``iati-activities.xml`` and
  ``iati-organisations.xml`` (``write`` and the element builders beside it), checked by the
  official schema (``xsd``) and the IATI rules (``rules``); ``export`` is ``coopdata export-iati``.
- Here, shared by both ways: :mod:`.paths` counts which element and attribute paths were
  carried, and :mod:`.canonical` is the round trip's canonical form.

The mapping, element by element, is ``docs/iati.md``. Import from the modules themselves
(``from coopdata.iati.reading.importer import import_iati``): the packages import nothing, so
that the writer does not load the reader.
"""
