"""Publishing a release elsewhere: ``coopdata push`` into a triple store."""
