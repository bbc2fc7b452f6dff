"""Step 2 of the pipeline: documented schemas -> JSON Schema 2020-12 and the typed IR."""
