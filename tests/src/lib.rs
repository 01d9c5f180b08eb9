//! End-to-end and interop tests over the whole workspace (see `tests/tests/`).
#![forbid(unsafe_code)]
