using System.Diagnostics;
using System.Text.Json;

namespace Dsa.Benchmarks;

/// <summary>
/// Runs a reference benchmark script in bench/reference/ (PyTorch / torchvision) and reads the JSON
/// results it writes to the path given after <c>--json</c>: the one way our benchmarks call them.
/// </summary>
public static class ReferenceScript
{
    public static List<T> Run<T>(string python, string script, IEnumerable<string> arguments, JsonSerializerOptions options)
    {
        if (!File.Exists(script)) throw new FileNotFoundException($"Reference benchmark script {script} not found.", script);
        var jsonPath = Path.Combine(Path.GetTempPath(), $"bench-ref-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.ArgumentList.Add("--json");
        start.ArgumentList.Add(jsonPath);
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {python}.");
            var stdout = process.StandardOutput.ReadToEndAsync(); // drained so the script never blocks on a full pipe
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{python} {script} exited with {process.ExitCode}: {stderr.Trim()}");
            _ = stdout.Result;
            return JsonSerializer.Deserialize<List<T>>(File.ReadAllText(jsonPath), options)
                ?? throw new InvalidDataException($"{jsonPath} (from {script}): empty result list.");
        }
        finally { File.Delete(jsonPath); }
    }
}
