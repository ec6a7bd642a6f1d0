"""The benchmark's parts: synthetic corpora, the Great Expectations peer pipeline, the mission
suite."""
