"""Record files: read (YAML, the fast reader), checked, loaded in workers, written back
and updated in place."""
