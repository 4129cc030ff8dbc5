// Stops a notebook with the command to run when the DSA workbench is not built: `#load "check-build.csx"` in the cell
// before `#load "workbench.csx"`, whose #r lines would otherwise fail with "metadata file not found". Under .NET
// Interactive the build is artifacts/notebooks (relative to the notebook's folder, the kernel's working directory);
// our runner and kernel (`dsa notebooks run`, `dsa kernel`) carry the assemblies, so Dsa is loaded there already.
using System.Linq;

if (!System.IO.File.Exists("../artifacts/notebooks/Dsa.dll")
    && !System.AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Dsa"))
    throw new System.IO.FileNotFoundException(
        "The DSA workbench is not built: run `dotnet build src/Dsa.Cli` in the repository, then run this notebook again.");
