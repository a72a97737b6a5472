"""Benchmarks (`make bench`): each file runs alone as a script, with the project's folder
first on sys.path, and finds its siblings as `bench.<name>`."""
