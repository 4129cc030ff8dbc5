using System.Text.Json.Nodes;
using Dsa.Kernel;
using Dsa.Tests.Infrastructure;
using SkiaSharp;

namespace Dsa.Tests.Kernel;

public sealed class KernelSpecTests
{
    [Fact]
    public void InstallWritesKernelJsonStartingThisBuildAndLogosAndUninstallRemovesThem()
    {
        using var prefix = new TempDir();
        var (exit, error) = DsaCli.Run("kernel", "install", "--prefix", prefix.Path);
        Assert.True(exit == 0, error);
        string folder = Path.Combine(prefix.Path, "share", "jupyter", "kernels", KernelSpec.DefaultName);
        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "kernel.json")))!.AsObject();
        var argv = spec["argv"]!.AsArray().Select(a => (string)a!).ToList();
        Assert.Equal("dotnet", Path.GetFileNameWithoutExtension(argv[0]));
        Assert.True(File.Exists(argv[1]) && argv[1].EndsWith("Dsa.Cli.dll", StringComparison.Ordinal), argv[1]);
        Assert.Equal(["kernel", "run", "--connection-file", "{connection_file}"], argv.Skip(2));
        Assert.Equal("C# (DSA)", (string?)spec["display_name"]);
        Assert.Equal("C#", (string?)spec["language"]);
        Assert.Equal("message", (string?)spec["interrupt_mode"]);
        foreach (int size in new[] { 32, 64 })
        {
            using var logo = SKBitmap.Decode(Path.Combine(folder, $"logo-{size}x{size}.png"));
            Assert.Equal((size, size), (logo.Width, logo.Height));
        }

        Assert.Equal(0, DsaCli.Run("kernel", "uninstall", "--prefix", prefix.Path).Exit);
        Assert.False(Directory.Exists(folder));
        Assert.Equal(1, DsaCli.Run("kernel", "uninstall", "--prefix", prefix.Path).Exit);
    }

    // What `dotnet-interactive jupyter install` (1.0.712001) writes as kernels/.net-csharp/kernel.json.
    private const string DotnetInteractiveSpec = """
        {
          "argv": ["dotnet", "interactive", "jupyter", "--default-kernel", "csharp", "{connection_file}", "--http-port-range", "2048-3000"],
          "display_name": ".NET (C#)",
          "language": "C#",
          "metadata": { "vscode": { "extension_id": "ms-dotnettools.dotnet-interactive-vscode", "kernel_id": "dotnet-interactive" } }
        }
        """;

    [Fact]
    public void InstallLeavesDotnetInteractivesKernelspecAloneUnlessForced()
    {
        using var prefix = new TempDir();
        string folder = Path.Combine(prefix.Path, "share", "jupyter", "kernels", KernelSpec.DefaultName);
        Directory.CreateDirectory(folder);
        string specPath = Path.Combine(folder, "kernel.json");
        File.WriteAllText(specPath, DotnetInteractiveSpec);

        var (exit, error) = DsaCli.Run("kernel", "install", "--prefix", prefix.Path);
        Assert.Equal(2, exit);
        Assert.Contains(specPath, error);
        Assert.Contains("\".NET (C#)\": dotnet interactive jupyter", error);
        Assert.Contains("--name", error);
        Assert.Equal(DotnetInteractiveSpec, File.ReadAllText(specPath));
        Assert.Equal(2, DsaCli.Run("kernel", "uninstall", "--prefix", prefix.Path).Exit);
        Assert.True(File.Exists(specPath));

        // Beside it under another name: both kernels stay installed.
        Assert.Equal(0, DsaCli.Run("kernel", "install", "--prefix", prefix.Path, "--name", "dsa-csharp").Exit);
        Assert.Equal(DotnetInteractiveSpec, File.ReadAllText(specPath));
        // Ours is recognised as ours: installing again replaces it without --force.
        Assert.Equal(0, DsaCli.Run("kernel", "install", "--prefix", prefix.Path, "--name", "dsa-csharp").Exit);

        Assert.Equal(0, DsaCli.Run("kernel", "install", "--prefix", prefix.Path, "--force").Exit);
        Assert.Equal("C# (DSA)", (string?)JsonNode.Parse(File.ReadAllText(specPath))!["display_name"]);
    }

    [Fact]
    public void KernelNameWithAPathSeparatorIsRefused()
    {
        using var prefix = new TempDir();
        Assert.Throws<ArgumentException>(() => KernelSpec.Install(prefix.Path, "../escape", ["dotnet", "x.dll"]));
    }
}
