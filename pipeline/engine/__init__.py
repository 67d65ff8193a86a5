"""Engines that store and score the documents: the embedded Whoosh index (whoosh/)."""
