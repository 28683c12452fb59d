"""A thrifty-ml project: pipeline stages, the model ladder and the command line."""
