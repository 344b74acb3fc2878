"""Everything written for people and programs to read: the output folder's files, reporters' drafts
(Markdown and Word), the analyst report, and the pandas frames and exports."""
