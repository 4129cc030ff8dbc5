#!/usr/bin/env bash
# Whole-process timings with hyperfine, cold: `dsa eval` on the 20 public Bonn videos of the poseval fixture and
# `dsa --help` (start-up) for each artifacts/ folder that is there (README, Performance, says how each is made), beside
# an app that only prints a line (the floor); then `dotnet run ... eval`, and `dsa bench eval` (reading and evaluating
# apart, in the process) after and before. Writes bench/results/{eval,startup}-whole-process.json, eval-dotnet-run.json,
# eval-bench-{after,before}.json, and the load average before and after each step into whole-process-load.txt: on a
# shared machine the times are upper bounds.
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures="${DSA_FIXTURES:-../shared/fixtures}"
case="$fixtures/posetrack/poseval_cases/bonn_public_seed0"
pair="--gt $case/gt --pred $case/pred"
runs="${RUNS:-20}"
mkdir -p bench/results
load=bench/results/whole-process-load.txt
: > "$load"

variants=(artifacts/dsa/dsa artifacts/dsa-r2r/dsa artifacts/dsa-jit/dsa artifacts/before-92231f8/build/Dsa.Cli artifacts/before-92231f8/r2r/Dsa.Cli)
floors=(artifacts/empty-app/EmptyApp artifacts/empty-app-composite/EmptyApp)
present=()
for v in "${floors[@]}" "${variants[@]}"; do
  if [[ -x "$v" ]]; then present+=("$v"); else echo "skipped (not built): $v" >&2; fi
done

eval_commands=()
help_commands=()
for v in "${present[@]}"; do
  case "$v" in
    artifacts/empty-app*) eval_commands+=("$v"); help_commands+=("$v") ;;
    *) eval_commands+=("$v eval $pair"); help_commands+=("$v --help") ;;
  esac
done

echo "eval, before: $(uptime)" >> "$load"
hyperfine -N --warmup 2 --runs "$runs" --export-json bench/results/eval-whole-process.json "${eval_commands[@]}"
echo "eval, after: $(uptime)" >> "$load"
echo "startup, before: $(uptime)" >> "$load"
hyperfine -N --warmup 2 --runs "$runs" --export-json bench/results/startup-whole-process.json "${help_commands[@]}"
echo "startup, after: $(uptime)" >> "$load"

# What the README's `dsa` alias (dotnet run) costs per call: MSBuild checks the build first.
echo "dotnet run, before: $(uptime)" >> "$load"
hyperfine -N --warmup 1 --runs 5 --export-json bench/results/eval-dotnet-run.json "dotnet run -c Release --project src/Dsa.Cli -- eval $pair"
echo "dotnet run, after: $(uptime)" >> "$load"

for side in after:artifacts/dsa/dsa before:artifacts/before-92231f8/build/Dsa.Cli; do
  if [[ -x "${side#*:}" ]]; then
    echo "bench eval ${side%%:*}, before: $(uptime)" >> "$load"
    # shellcheck disable=SC2086 # $pair is four words
    "${side#*:}" bench eval $pair --repeats 10 --json "bench/results/eval-bench-${side%%:*}.json"
  fi
done
cat "$load"

# min / median / max per command (hyperfine prints means).
python3 - <<'PY'
import json
for name in ("eval", "startup", "dotnet-run"):
    file = "bench/results/eval-dotnet-run.json" if name == "dotnet-run" else f"bench/results/{name}-whole-process.json"
    for r in json.load(open(file))["results"]:
        t = sorted(r["times"])
        print(f"{name}: {r['command']}: min {t[0]*1000:.0f} ms, median {r['median']*1000:.0f} ms, max {t[-1]*1000:.0f} ms, "
              f"user+sys {(r['user'] + r['system'])*1000:.0f} ms (mean), {len(t)} runs")
PY
