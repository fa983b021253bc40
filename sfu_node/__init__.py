"""VirtuBar SFU node: forwards voice without transcoding to whoever should hear it."""
