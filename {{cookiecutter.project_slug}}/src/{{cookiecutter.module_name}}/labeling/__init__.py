"""Label your own data: the schema, the append-only event logs, agreement, imports, the labeler.

Stages that use these helpers live one level up (`labels.py` consolidates the logs into training
rows, `queue.py` orders the pool); the `label` command runs `session.py`.
"""
