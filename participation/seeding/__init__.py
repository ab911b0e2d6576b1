"""Data sets loaded by ``flask seed``: the scale data set (``seed scale``) lives in ``scale``."""
