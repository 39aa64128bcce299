#!/usr/bin/env bash
# e2e/run.sh runs the browser tests against the server make e2e started (npm test).
#
# Given files, it runs them one after another. Given tests/ (the default), it runs every file
# in two lanes at once, each file in its own browser, then, alone, the files that read figures
# over every conversation (the dashboard's and the reports'): tests of other files write
# conversations of their own at any moment, which would move those figures while they compare
# them. agentux.test.js runs alone too: beside the others, the conversation view of one of its
# tests once did not show within 30 s (not understood yet; it passes alone every time).
set -euo pipefail
cd "$(dirname "$0")"

run() { node --test --test-reporter=spec "$@"; }

alone=(tests/dashboard.test.js tests/reports.test.js tests/agentux.test.js)
if [[ $# -ne 1 || $1 != tests/ ]]; then
	run --test-concurrency=1 "$@"
	exit
fi
shared=()
for f in tests/*.test.js; do
	[[ " ${alone[*]} " == *" $f "* ]] || shared+=("$f")
done
status=0
run --test-concurrency=2 "${shared[@]}" || status=$?
run --test-concurrency=1 "${alone[@]}" || status=$?
exit "$status"
