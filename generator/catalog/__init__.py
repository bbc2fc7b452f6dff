"""``pull``: model files from RunComfy's model catalog API (docs/pull.md).

``client`` speaks HTTP (every page fetched and checked), ``entry`` turns one catalog entry into
a model file, ``sync`` plans what a pull changes; ``generator.fsutil.apply_batch`` writes it all or
nothing.
"""
