"""coopdata: publish open data about international cooperation on migration as linked data.

The data flows through these steps, each a function of this package::

    load(records_dir)          → Dataset, Report      record files → typed records
    build_graph(dataset)       → rdflib.Graph         records → RDF
    tables() / write_package() → CSV + datapackage    records → Frictionless tables
    validate(records_dir)      → Validation           all three checks, one Report
    build(out, records_dir)    → Build                validated graph and tables on disk

Importing coopdata is cheap: rdflib, frictionless and pyshacl are imported only by the
functions that use them.
"""

from coopdata.errors import CoopdataError, OutputError, RecordsInvalid, UsageError
from coopdata.model.config import find_project
from coopdata.model.dataset import Dataset, RawRecord, Record
from coopdata.model.dates import PartialDate
from coopdata.model.resources import default_records
from coopdata.model.spec import KINDS, Field, Kind
from coopdata.model.uris import Uris
from coopdata.records.load import load
from coopdata.records.read import read_record
from coopdata.reference.graph import build_graph
from coopdata.release.build import Build, build, export_tables, import_into, import_tables
from coopdata.report import Finding, Report
from coopdata.tables.layout import Table, tables
from coopdata.tables.package import package_descriptor, table_schema, write_package
from coopdata.tables.read import read_tables
from coopdata.validate.engine import Engine
from coopdata.validate.tables import validate_tables
from coopdata.validate.validation import Validation, validate

__version__ = "0.1.0"

__all__ = [
    "Build",
    "CoopdataError",
    "Dataset",
    "Engine",
    "Field",
    "Finding",
    "KINDS",
    "Kind",
    "OutputError",
    "PartialDate",
    "RawRecord",
    "Record",
    "RecordsInvalid",
    "Report",
    "Table",
    "Uris",
    "UsageError",
    "Validation",
    "__version__",
    "build",
    "build_graph",
    "default_records",
    "export_tables",
    "find_project",
    "import_into",
    "import_tables",
    "load",
    "package_descriptor",
    "read_record",
    "read_tables",
    "table_schema",
    "tables",
    "validate",
    "validate_tables",
    "write_package",
]
