"""The drafts benchmark: facts and text of reporters' drafts on real documents."""
