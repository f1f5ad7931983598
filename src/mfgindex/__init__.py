"""mfgindex: evaluation of the high-quality development of manufacturing in Chinese cities."""

__version__ = "0.1.0"
