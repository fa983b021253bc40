"""The `virtubar` command and the embedded composition: the top floor.

It lives apart from the contract package `virtubar/` because it is the one
place that imports every service (`functions`, `realtime_edge`, `sfu_node`)
to start them; the contract below it must import none of them, so each
service can be built, tested and shipped on the contract alone (the layout
rule in `tests/contract/test_layout.py`, explained in `CONTRIBUTING.md`).
"""
