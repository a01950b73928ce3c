"""The lowest layer: what every other layer may use — the problems (errors) a run
reports, the package's version, lazy public names, memory and worker limits, where
the bundled files are, and tables shown as text or HTML (docs/design.md)."""
