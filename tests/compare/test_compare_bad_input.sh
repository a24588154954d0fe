#!/usr/bin/env bash
# `hakbench compare` on bad or partial input: clear messages, exit 2 where
# nothing can be compared, warnings for cells present on one side only.
. "$(dirname "$0")/../lib.sh"
need_hakbench

run_compare base.json missing_cell.json
expect_rc "a cell missing" 0
expect_text "a cell missing" err "cell mt/remote50 is in the baseline but not in the current run"
expect_text "a new cell" err "cell cg/rm-1024 is not in the baseline"
expect_text "a cell missing, in the report" out "cell mt/remote50 is in the baseline but not in the current run"

run_compare base.json other_suite.json
expect_rc "different suites" 2
expect_text "different suites" err "baseline base.json is suite 'ci', current other_suite.json is suite 'quick'"

run_compare base.json noisy_base.json --md "$TMP/none.md"
expect_rc "one cell in common" 0

run_compare base.json no-such-file.json
expect_rc "missing file" 2
expect_text "missing file" err "cannot read current file no-such-file.json"

run_compare base.json truncated.json
expect_rc "truncated JSON" 2
expect_text "truncated JSON" err "current file truncated.json: corrupt or truncated JSON"

printf '{"format": "something-else", "version": 1}\n' >"$TMP/other-format.json"
run_compare base.json "$TMP/other-format.json"
expect_rc "not a results file" 2
expect_text "not a results file" err "current file $TMP/other-format.json: not a valid hakbench results file"

# Compare reads results through the same loader as report: a file lacking
# what every results file has is refused, not half-compared.
printf '{"format": "hakbench-results", "version": 1, "suite": "ci", "cells": [{"id": "x/y", "metric": "ops_per_sec"}]}\n' >"$TMP/partial.json"
run_compare base.json "$TMP/partial.json"
expect_rc "a results file without allocators" 2
expect_text "a results file without allocators" err "not a valid hakbench results file: \"complete\" missing"

sed 's/"id": "/"id": "other-/' "tests/compare/fixtures/base.json" >"$TMP/disjoint.json"
run_compare base.json "$TMP/disjoint.json"
expect_rc "no cells in common" 2
expect_text "no cells in common" err "no cells in common"

sed 's/"instructions_per_op"/"ops_per_sec"/' "tests/compare/fixtures/base.json" >"$TMP/metric.json"
run_compare base.json "$TMP/metric.json"
expect_rc "metric changed" 2
expect_text "metric changed" err "cell cg/rm-uniform measures instructions_per_op in the baseline but ops_per_sec now"

run_compare base.json
expect_rc "one file only" 2
run_compare base.json base.json --alpha 2
expect_rc "alpha out of range" 2
expect_text "alpha out of range" err "--alpha wants a number"
run_compare base.json base.json --frobnicate
expect_rc "unknown option" 2
expect_text "unknown option" err "unknown option --frobnicate"
run_compare base.json base.json --md /nonexistent-dir/x.md
expect_rc "unwritable --md" 2
expect_text "unwritable --md" err "cannot write /nonexistent-dir/x.md"
run_compare --help
expect_rc "--help" 0
expect_text "--help" out "within noise"
finish
