"""Step 4 of the pipeline: build every generated file in memory, then write or compare."""
