"""Pure text mining for Takeaways: bytes in, pydantic models out (no Prefect, no database)."""
