"""Domain rules: plain functions over model objects. They flush; the caller commits."""
