"""VirtuBar's shared contract: what the functions, the realtime edge and the SFU
node agree on (wire messages, token claims, the world format, shared-state key
names, the node registry, settings and the log shape).

The ground floor: the three services import this package and never import
each other, and this package imports none of them nor the `launcher` that
starts them (`tests/contract/test_layout.py`).
"""
