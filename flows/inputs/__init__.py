"""What a run reads: files and folders discovered on disk, URLs and feeds fetched, each read into a
document or an error record."""
