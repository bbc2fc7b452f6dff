"""Step 3 of the pipeline: IR -> files, one Jinja template per kind of output file."""
