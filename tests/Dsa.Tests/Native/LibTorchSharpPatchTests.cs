using Dsa.Native;
using TorchSharp;

namespace Dsa.Tests.Native;

public class LibTorchSharpPatchTests
{
    private const string Version = "GLIBCXX_3.4.32";

    [Fact]
    public void TorchInitialisesInTheTestHost()
    {
        using var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var b = a.matmul(a.t());
        Assert.Equal(new long[] { 2, 2 }, b.shape);
        Assert.Equal(50f, b[1, 1].item<float>()); // 3*3 + 4*4 + 5*5
    }

    [SkippableFact]
    public void OutputCopyNeedsTheVersionWeaklyExactlyWhenTheSystemLacksIt()
    {
        var lib = Directory.GetFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).FirstOrDefault();
        Skip.If(lib is null, "no libLibTorchSharp.so in the test output (non-Linux build?)");
        var libstdcxx = ElfVersionNeedPatcher.FindSystemLibStdCxx();
        Skip.If(libstdcxx is null, "no system libstdc++.so.6");
        var need = ElfVersionNeedPatcher.ReadVersionNeeds(File.ReadAllBytes(lib!), lib!).Single(n => n.Version == Version);
        bool systemHasIt = ElfVersionNeedPatcher.DefinesVersion(libstdcxx!, Version);
        Assert.Equal(!systemHasIt, need.IsWeak);
    }

    [SkippableFact]
    public void PatchingThePristineLibraryChangesOnlyTheFlagsOfThatNeed()
    {
        var pristine = PristineLibrary();
        var copy = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        File.Copy(pristine, copy);
        try
        {
            var before = File.ReadAllBytes(copy);
            var result = ElfVersionNeedPatcher.MarkVersionNeedWeak(copy, Version);
            var after = File.ReadAllBytes(copy);
            Assert.True(result.Changed);
            // The brief's premise: the only symbol bound to that version is a marker.
            Assert.Equal(new[] { "_ZSt21ios_base_library_initv" }, result.Symbols);
            Assert.Equal(before.Length, after.Length);
            var diffs = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
            var needs = ElfVersionNeedPatcher.ReadVersionNeeds(after, copy);
            var flagsOffset = needs.Single(n => n.Version == Version).FlagsOffset;
            Assert.All(diffs, i => Assert.InRange(i, flagsOffset, flagsOffset + 1));
            Assert.NotEmpty(diffs);
            Assert.True(needs.Single(n => n.Version == Version).IsWeak);
            // Every other need keeps its flags.
            var original = ElfVersionNeedPatcher.ReadVersionNeeds(before, pristine);
            Assert.Equal(original.Where(n => n.Version != Version).Select(n => n.Flags), needs.Where(n => n.Version != Version).Select(n => n.Flags));
            // Patching again is a no-op.
            Assert.False(ElfVersionNeedPatcher.MarkVersionNeedWeak(copy, Version).Changed);
            Assert.Equal(after, File.ReadAllBytes(copy));
        }
        finally { File.Delete(copy); }
    }

    [SkippableFact]
    public void AFileThatDoesNotNeedTheVersionIsLeftByteIdentical()
    {
        // The system's libstdc++ itself defines versions but needs none of GLIBCXX; any ordinary
        // ELF executable needs GLIBC versions only.
        var source = new[] { "/bin/ls", "/usr/bin/env", ElfVersionNeedPatcher.FindSystemLibStdCxx() }
            .FirstOrDefault(p => p is not null && File.Exists(p));
        Skip.If(source is null, "no system ELF file to try");
        var copy = Path.Combine(Path.GetTempPath(), $"elf-{Guid.NewGuid():N}");
        File.Copy(source!, copy);
        try
        {
            var before = File.ReadAllBytes(copy);
            Assert.DoesNotContain(ElfVersionNeedPatcher.ReadVersionNeeds(before, copy), n => n.Version == Version);
            var result = ElfVersionNeedPatcher.MarkVersionNeedWeak(copy, Version);
            Assert.False(result.Changed);
            Assert.Equal(before, File.ReadAllBytes(copy));
        }
        finally { File.Delete(copy); }
    }

    [Fact]
    public void SystemLibStdCxxDefinitionsAreRead()
    {
        var libstdcxx = ElfVersionNeedPatcher.FindSystemLibStdCxx();
        if (libstdcxx is null) return;
        var defs = ElfVersionNeedPatcher.ReadVersionDefinitions(File.ReadAllBytes(libstdcxx), libstdcxx);
        Assert.Contains("GLIBCXX_3.4", defs);
        Assert.Contains("CXXABI_1.3", defs);
    }

    [Fact]
    public void NotAnElfFileGetsAClearError()
    {
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.ReadVersionNeeds(new byte[100], "x.so"));
        Assert.Contains("x.so", e.Message);
        Assert.Contains("magic", e.Message);
    }

    private static string PristineLibrary()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                   ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Skip.IfNot(File.Exists(path), $"pristine {path} not in the NuGet cache");
        return path;
    }
}
