// Loads the DSA workbench into a notebook: `#load "workbench.csx"` in the notebook's first code cell after its
// parameters. Under .NET Interactive (VS Code's Polyglot Notebooks, JupyterLab with its kernel) this references the
// command line's last build, which `dotnet build src/Dsa.Cli` links at artifacts/notebooks; our runner and kernel
// (`dsa notebooks run`, `dsa kernel`) carry these assemblies already and resolve the same lines to their own.
// Namespaces are imported by the notebook (a #load-ed script's usings do not reach the cells that load it); the cell
// before it, `#load "check-build.csx"`, says which command to run when the build is missing.
#r "../artifacts/notebooks/Dsa.dll"
#r "../artifacts/notebooks/Dsa.Interactive.dll"
#r "../artifacts/notebooks/TorchSharp.dll"
#r "../artifacts/notebooks/SkiaSharp.dll"
#r "../artifacts/notebooks/Microsoft.Data.Analysis.dll"
#r "../artifacts/notebooks/Plotly.NET.dll"
#r "../artifacts/notebooks/Plotly.NET.CSharp.dll"
