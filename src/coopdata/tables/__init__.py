"""Records as tables: the layout, the Frictionless package descriptor and CSV files,
CSVW metadata, workbooks, and tables read back into records."""
