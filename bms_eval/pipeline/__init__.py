"""The notebook pipeline behind ``bms-eval run``: execute, collect, report, swap in."""
