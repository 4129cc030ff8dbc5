using System.Text.Json;
using System.Text.Json.Nodes;
using SkiaSharp;

namespace Dsa.Kernel;

/// <summary>
/// The kernelspec Jupyter front ends discover (a folder <c>kernels/NAME/</c> under a Jupyter data
/// directory, holding kernel.json and logos). The default name is the one the notebooks'
/// metadata carries (kernelspec name ".net-csharp", written by Polyglot Notebooks), so JupyterLab,
/// Notebook, nbconvert and VS Code open them with this kernel without asking.
/// </summary>
public static class KernelSpec
{
    public const string DefaultName = ".net-csharp";
    public const string DisplayName = "C# (DSA)";
    public const string Language = "C#";

    /// <summary>
    /// Writes <c>kernelsDirectory/name/</c>: kernel.json whose argv is <paramref name="launch"/>
    /// followed by <c>kernel run --connection-file {connection_file}</c>, and the 32 and 64 px logos.
    /// interrupt_mode "message": Jupyter sends interrupt_request on the control channel instead of
    /// SIGINT (the .NET host has no KeyboardInterrupt to raise). Returns the folder.
    /// A kernelspec of that name that this command did not write (.NET Interactive's own <c>.net-csharp</c>, say)
    /// is refused with <see cref="KernelSpecConflictException"/> unless <paramref name="force"/>: a user with both
    /// kernels keeps the one they had and installs ours under another name.
    /// </summary>
    public static string Install(string kernelsDirectory, string name, IReadOnlyList<string> launch, bool force = false)
    {
        CheckName(name);
        string folder = Path.Combine(kernelsDirectory, name);
        if (!force && Foreign(folder) is { } other)
            throw new KernelSpecConflictException(folder, $"{Path.Combine(folder, "kernel.json")} is another kernel's spec ({other}), not one `dsa kernel install` wrote; " +
                "it is left as it is. Install ours under another name (--name dsa-csharp) and pick it in the front end, or pass --force to replace it.");
        Directory.CreateDirectory(folder);
        var argv = new JsonArray(launch.Concat(["kernel", "run", "--connection-file", "{connection_file}"]).Select(a => (JsonNode?)JsonValue.Create(a)).ToArray());
        var spec = new JsonObject
        {
            ["argv"] = argv,
            ["display_name"] = DisplayName,
            ["language"] = Language,
            ["interrupt_mode"] = "message",
            ["metadata"] = new JsonObject { ["debugger"] = false, [WriterKey] = WriterValue },
        };
        File.WriteAllText(Path.Combine(folder, "kernel.json"), spec.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        foreach (int size in new[] { 32, 64 })
        {
            using var logo = DrawLogo(size);
            using var png = logo.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(folder, $"logo-{size}x{size}.png"), png.ToArray());
        }
        return folder;
    }

    /// <summary>
    /// Removes the kernelspec folder; false when there is none. Refuses a folder without kernel.json (not a kernelspec),
    /// and, unless <paramref name="force"/>, a kernelspec this command did not write.
    /// </summary>
    public static bool Uninstall(string kernelsDirectory, string name, bool force = false)
    {
        CheckName(name);
        string folder = Path.Combine(kernelsDirectory, name);
        if (!Directory.Exists(folder)) return false;
        if (!File.Exists(Path.Combine(folder, "kernel.json")))
            throw new InvalidOperationException($"{folder} has no kernel.json; not removing a folder that is not a kernelspec.");
        if (!force && Foreign(folder) is { } other)
            throw new KernelSpecConflictException(folder, $"{Path.Combine(folder, "kernel.json")} is another kernel's spec ({other}), not ours; not removing it (--force removes it anyway).");
        Directory.Delete(folder, recursive: true);
        return true;
    }

    // Our kernel.json carries metadata.dsa_writer; any other kernel.json in the folder is someone else's.
    private const string WriterKey = "dsa_writer";
    private const string WriterValue = "dsa kernel install";

    /// <summary>What the kernelspec in <paramref name="folder"/> is when another program wrote it ("display name: argv"); null when there is none or it is ours.</summary>
    private static string? Foreign(string folder)
    {
        string path = Path.Combine(folder, "kernel.json");
        if (!File.Exists(path)) return null;
        JsonObject? spec;
        try { spec = JsonNode.Parse(File.ReadAllText(path)) as JsonObject; }
        catch (JsonException) { return "unreadable JSON"; }
        if (spec?["metadata"]?[WriterKey]?.GetValueKind() == JsonValueKind.String && (string?)spec["metadata"]![WriterKey] == WriterValue) return null;
        // Written by a build from before the marker: argv [dotnet, .../Dsa.Cli.dll, kernel, run, ...].
        var args = spec?["argv"] is JsonArray list ? list.Select(x => x?.GetValueKind() == JsonValueKind.String ? (string)x! : "").ToList() : [];
        if (args.Count >= 4 && args[1].EndsWith("Dsa.Cli.dll", StringComparison.Ordinal) && args[2] == "kernel" && args[3] == "run") return null;
        string display = spec?["display_name"]?.GetValueKind() == JsonValueKind.String ? (string)spec["display_name"]! : "no display name";
        string argv = args.Count > 0 ? string.Join(" ", args.Take(3)) : "no argv";
        return $"\"{display}\": {argv}";
    }

    // jupyter_client accepts kernel names of ASCII letters, digits, '.', '_' and '-'.
    private static void CheckName(string name)
    {
        if (name.Length == 0 || name is "." or ".." || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            throw new ArgumentException($"kernel name '{name}' is not valid: use ASCII letters, digits, '.', '_' and '-'.", nameof(name));
    }

    /// <summary>A C#-purple rounded square with a white '#' of four bars (drawn, so no font is needed).</summary>
    private static SKImage DrawLogo(int size)
    {
        var info = new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.Transparent);
        using var background = new SKPaint { Color = new SKColor(0x68, 0x21, 0x7A), IsAntialias = true };
        float radius = size * 0.2f;
        canvas.DrawRoundRect(new SKRect(0, 0, size, size), radius, radius, background);
        using var bar = new SKPaint { Color = SKColors.White, IsAntialias = true };
        float unit = size / 16f;
        // Two vertical and two horizontal bars: the '#'.
        foreach (float x in new[] { 5.5f, 9f })
            canvas.DrawRect(new SKRect(x * unit, 3 * unit, (x + 1.5f) * unit, 13 * unit), bar);
        foreach (float y in new[] { 5.5f, 9f })
            canvas.DrawRect(new SKRect(3 * unit, y * unit, 13 * unit, (y + 1.5f) * unit), bar);
        return surface.Snapshot();
    }
}
