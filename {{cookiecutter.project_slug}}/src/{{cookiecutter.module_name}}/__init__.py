"""A thrifty-ml project: pipeline stages, the model ladder and the command line."""

import sys as _sys

if _sys.orig_argv[1:2] == ["-m"]:  # a stage (`python -m <package>.<stage>`): run it warm
    from .core.warm import hand_off

    hand_off(__name__)
