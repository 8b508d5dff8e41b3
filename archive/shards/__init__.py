"""Writers of release files: Parquet shards, WebDataset tar shards, and the file log."""
