"""UnionHub performance harness (run on demand; never part of the test suite). See README.md."""
