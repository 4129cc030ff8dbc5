using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Dsa.Interactive;

/// <summary>
/// Finds TorchSharp's and SkiaSharp's native libraries for a host that has no deps.json for them: .NET Interactive
/// after <c>#r</c> of the workbench's build output (notebooks/workbench.csx). Our own runner, kernel and the CLI are
/// apps whose deps.json already lists <c>runtimes/linux-x64/native</c>, and there this does nothing.
/// <para>
/// Without it TorchSharp looks for libLibTorchSharp.so beside TorchSharp.dll only, then copies the NuGet cache's
/// natives into a <c>cpu/</c> folder of the build; that copy lacks the build's GLIBCXX patch (environment.md) and fails
/// on Debian 12. TorchSharp also probes <c>torch_cpu</c> by bare name first, which would bind a system libtorch
/// (Debian's python3-torch 1.13) and then fail on missing symbols; loading the build's own libtorch_cpu.so by full
/// path first makes the soname lookups find it.
/// </para>
/// </summary>
public static class NativeLibraryResolver
{
    private static readonly object Gate = new();
    private static bool installed;

    /// <summary>The folder of the native libraries beside the workbench's assemblies: runtimes/RID/native.</summary>
    public static string NativeFolder(string assemblyFolder) =>
        Path.Combine(assemblyFolder, "runtimes",
            (OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux") + "-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
            "native");

    /// <summary>Registers the resolvers once; true when they were needed (the host could not load LibTorchSharp by itself).</summary>
    public static bool Install()
    {
        lock (Gate)
        {
            if (installed) return true;
            var torchAssembly = typeof(TorchSharp.torch).Assembly;
            // The host resolves it (an app with a deps.json): nothing to do.
            if (NativeLibrary.TryLoad("LibTorchSharp", torchAssembly, null, out _)) return false;
            string folder = NativeFolder(Path.GetDirectoryName(typeof(NativeLibraryResolver).Assembly.Location)!);
            if (!Directory.Exists(folder))
                throw new DirectoryNotFoundException($"The workbench's native libraries are not at {folder}: build the command line (dotnet build src/Dsa.Cli) and load the notebook's workbench.csx from that build.");
            // F# assemblies bind to the host's FSharp.Core (see the class summary).
            var hostFSharpCore = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "FSharp.Core" && AssemblyLoadContext.GetLoadContext(a) == AssemblyLoadContext.Default);
            if (hostFSharpCore is not null)
                AssemblyLoadContext.Default.Resolving += (_, name) => name.Name == "FSharp.Core" ? hostFSharpCore : null;
            string torchCpu = Path.Combine(folder, NativeFileName("torch_cpu"));
            if (File.Exists(torchCpu)) NativeLibrary.Load(torchCpu);
            foreach (var assembly in new[] { torchAssembly, typeof(SkiaSharp.SKImage).Assembly }.Distinct())
                (AssemblyLoadContext.GetLoadContext(assembly) ?? AssemblyLoadContext.Default).ResolvingUnmanagedDll += (requesting, name) =>
                    requesting == assembly && File.Exists(Path.Combine(folder, NativeFileName(name))) ? NativeLibrary.Load(Path.Combine(folder, NativeFileName(name))) : IntPtr.Zero;
            installed = true;
            return true;
        }
    }

    // "LibTorchSharp" -> libLibTorchSharp.so; "libSkiaSharp" -> libSkiaSharp.so (the DllImport names of the two packages).
    private static string NativeFileName(string name)
    {
        string file = name.StartsWith("lib", StringComparison.Ordinal) ? name : "lib" + name;
        string extension = OperatingSystem.IsWindows() ? ".dll" : OperatingSystem.IsMacOS() ? ".dylib" : ".so";
        return file.EndsWith(extension, StringComparison.Ordinal) ? file : file + extension;
    }
}
