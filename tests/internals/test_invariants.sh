#!/usr/bin/env bash
# White box: the invariant checkers of allocator/src/valid.c (invariants.c):
# a heap in use passes them, and each of six broken fields (capacity, a
# free-list cycle, a free block that is no block start, fast_owner against
# flags, a dirty slot in use, the heap's dirty byte count) stops the process
# with SIGABRT and "internal assertion failed". Release and debug builds (the
# debug build also runs them at every state change while the heap is built).
. "$(dirname "$0")/../lib.sh"
white_box invariants
finish
