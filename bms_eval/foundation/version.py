"""The package's version, where every layer can read it (``bms_eval.__version__``)."""

__version__ = "0.1.0"
