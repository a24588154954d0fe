#!/usr/bin/env bash
# White box: the size-class table against _hak_class_of for every n in
# 0..HAK_SMALL_MAX (smallest class that fits, waste at most n/4 + 16), the
# lookup table, and the heap's direct[] slots (exactly the table's range,
# each slot written by one class). Release and debug builds (sizeclass.c).
. "$(dirname "$0")/../lib.sh"
white_box sizeclass
finish
