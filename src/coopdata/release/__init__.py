"""Releases: the release job and its steps, the release directory, staging,
conversions in processes, the catalogue and VoID, the changelog."""
