"""The ground floor every stage stands on: settings and their loader, the data and the task this
project was baked for, every path, atomic file writes, the typed hand-offs between stages, and
what a person sees when a stage runs."""
