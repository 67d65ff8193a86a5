"""A multilingual medical reference: articles split into sections, paired with gettext translations, searchable."""
