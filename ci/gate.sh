#!/usr/bin/env bash
# The corpus gate for any CI: run the full check (Great Expectations engine) against the
# committed baseline and exit with its code (0 pass, 1 new error findings, 2 tool error).
#
#   ci/gate.sh [PATH ...]            # default: the configured corpus
#
# Environment:
#   CORPUS_VALIDATOR      the command (default: corpus-validator)
#   BASELINE              baseline file (default: expectations/baseline.json, if present)
#   SARIF_OUTPUT          also write a SARIF 2.1.0 report to this file
#   JUNIT_OUTPUT          also write a JUnit XML report to this file
# Under GitHub Actions the findings become annotations and a step summary.
set -u
cmd=${CORPUS_VALIDATOR:-corpus-validator}
baseline=${BASELINE:-expectations/baseline.json}
args=(--engine gx)
[ -f "$baseline" ] && args+=(--baseline "$baseline")

status=0
if [ -n "${GITHUB_ACTIONS:-}" ]; then
  $cmd check "$@" "${args[@]}" --format github || status=$?
else
  $cmd check "$@" "${args[@]}" --format text || status=$?
fi
# Extra reports never change the verdict, but a tool error (2) in them does.
if [ -n "${SARIF_OUTPUT:-}" ]; then
  $cmd check "$@" "${args[@]}" --format sarif --output "$SARIF_OUTPUT" --no-cache; s=$?; [ "$s" -eq 2 ] && status=2
fi
if [ -n "${JUNIT_OUTPUT:-}" ]; then
  $cmd check "$@" "${args[@]}" --format junit --output "$JUNIT_OUTPUT" --no-cache; s=$?; [ "$s" -eq 2 ] && status=2
fi
exit "$status"
