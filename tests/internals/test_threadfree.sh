#!/usr/bin/env bash
# White box: the thread-free word's state machine (threadfree.c): the
# accessors, _hak_tf_set_state (keeps the list, waits out BUSY), a remote
# free and _hak_slab_collect in NORMAL, and a full slab's NOTIFY -> BUSY ->
# NORMAL hand-off to the owner's delayed list. Release and debug builds.
. "$(dirname "$0")/../lib.sh"
white_box threadfree
finish
