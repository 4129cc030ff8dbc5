#!/usr/bin/env bash
# Makes artifacts/notebooks: one link per file of the command line's build output (argument 1), which
# notebooks/workbench.csx references under .NET Interactive. FSharp.Core.dll is left out on purpose:
# .NET Interactive already runs one, and Plotly.NET and its Giraffe.ViewEngine must bind to the same
# copy (Dsa.Interactive's NativeLibraryResolver points them at the host's).
set -euo pipefail
out="${1%/}"
target="$2/artifacts/notebooks"
rm -rf "$target"
mkdir -p "$target"
for f in "$out"/*; do
  case "$(basename "$f")" in
    FSharp.Core.dll) ;;
    *) ln -s "$f" "$target/" ;;
  esac
done
