"""Step 1 of the pipeline: documentation pages in, ``schemas/<model_id>.json`` files out."""
