"""VirtuBar's shared contract: what the functions, the realtime edge and the SFU
node agree on (wire messages, token claims, the world format, shared-state key
names, the node registry) and the `virtubar` command that starts each role.

The three services import this package and never import each other.
"""
