# Sourced by eng/device/run.sh and stage2.sh: the one markdown results file, written as the check goes (so a
# check cut short by the machine's time limit still leaves what it measured).
results_file= failed_steps=0 step_rows=()
# The limits are sized for the GPU machine (8 minutes in all); the rehearsal on a small CPU scales them up.
step_time_scale=${step_time_scale:-1}

results_begin() { # FILE TITLE
  results_file=$1
  printf '# VimDense device check: %s\n\n' "$2" > "$results_file"
}

results_section() { printf '\n## %s\n\n' "$1" >> "$results_file"; }

# step NAME SECONDS COMMAND...: runs COMMAND under a time limit, appends its output (last 60 lines) and its
# status to the results file; a failure is recorded and the check goes on.
step() {
  local name=$1 limit=$(($2 * step_time_scale)); shift 2
  local start=$SECONDS log status verdict
  log=$(mktemp)
  timeout "$limit" "$@" > "$log" 2>&1
  status=$?
  case $status in
    0) verdict=pass ;;
    124) verdict="FAIL (over ${limit} s)"; failed_steps=$((failed_steps + 1)) ;;
    *) verdict="FAIL (exit $status)"; failed_steps=$((failed_steps + 1)) ;;
  esac
  {
    printf '### %s: %s (%d s)\n\n' "$name" "$verdict" $((SECONDS - start))
    if grep -q '^|' "$log"; then tail -n 60 "$log"; else printf '```\n'; tail -n 60 "$log"; printf '```\n'; fi
    printf '\n'
  } >> "$results_file"
  step_rows+=("| $name | $verdict | $((SECONDS - start)) |")
  step_last_output=$(tail -n 20 "$log") # for callers that react to how a step failed
  echo "[device-check] $name: $verdict" >&2
  rm -f "$log"
  return 0
}

results_end() {
  {
    printf '\n## Summary\n\n| step | result | seconds |\n|---|---|---|\n'
    printf '%s\n' "${step_rows[@]}"
    printf '\n%d step(s) failed; total %d s.\n' "$failed_steps" "$SECONDS"
  } >> "$results_file"
}
