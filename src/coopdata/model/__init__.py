"""The model: what a record of each kind may hold (spec), the records as a typed
dataset, code lists, dates, URIs, the vocabulary's namespaces and the project's configuration."""
