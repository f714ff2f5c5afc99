#!/usr/bin/env bash
# The corpus gate for any CI: run the full check (Great Expectations engine) once, against
# the committed baseline when there is one, and exit with its code (0 pass, 1 new error
# findings, 2 tool error). The SARIF and JUnit reports come from that same run.
#
#   ci/gate.sh [PATH ...]            # default: the configured corpus
#
# Environment:
#   CORPUS_VALIDATOR      the command (default: corpus-validator)
#   BASELINE              baseline file (default: expectations/baseline.json, if present)
#   SARIF_OUTPUT          also write a SARIF 2.1.0 report to this file
#   JUNIT_OUTPUT          also write a JUnit XML report to this file
#   GITLAB_OUTPUT         also write a GitLab code-quality report to this file
# Under GitHub Actions the findings become annotations and a step summary.
set -u
cmd=${CORPUS_VALIDATOR:-corpus-validator}
baseline=${BASELINE:-expectations/baseline.json}
args=(--engine gx)
[ -f "$baseline" ] && args+=(--baseline "$baseline")
if [ -n "${GITHUB_ACTIONS:-}" ]; then args+=(--format github); else args+=(--format text); fi
[ -n "${SARIF_OUTPUT:-}" ] && args+=(--report "sarif=$SARIF_OUTPUT")
[ -n "${JUNIT_OUTPUT:-}" ] && args+=(--report "junit=$JUNIT_OUTPUT")
[ -n "${GITLAB_OUTPUT:-}" ] && args+=(--report "gitlab=$GITLAB_OUTPUT")

# $cmd unquoted on purpose: it may be a command with arguments ("python -m validators").
# shellcheck disable=SC2086
exec $cmd check "$@" "${args[@]}"
