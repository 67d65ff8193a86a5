"""The embedded engine: a Whoosh index on disk, the default. The only package that imports Whoosh."""
