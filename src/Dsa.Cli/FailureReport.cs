using System.CommandLine;
using System.Reflection;
using Dsa;
using Dsa.IO;
using Dsa.Training;
using Dsa.Workflows;

namespace Dsa.Cli;

/// <summary>
/// How `dsa` reports a failed verb: one line on standard error, "error: " and the exception's message
/// (the library's messages name the file, the record or entry, and the field), advice where the CLI
/// has some, exit code 1. A stack trace is printed only with --verbose: it helps a developer, and to
/// everyone else it hides the one line that says what to fix.
/// </summary>
internal static class FailureReport
{
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "On failure, also print the exception's stack trace.", Recursive = true };

    /// <summary>Prints <paramref name="failure"/> and returns the exit code (1).</summary>
    public static int Print(Exception failure, bool verbose)
    {
        var e = Unwrap(failure);
        bool expected = e is InvalidDataException or IOException or ArgumentException or InvalidOperationException
            or UnauthorizedAccessException or NotSupportedException or FormatException;
        // Anything else is a bug of ours (or libtorch's message): say so, keep the message.
        string message = expected ? e.Message : $"{e.GetType().Name}: {e.Message}";
        Console.Error.WriteLine($"error: {message}");
        if (Advice(e) is { } advice) Console.Error.WriteLine($"  ({advice})");
        if (e.InnerException is TensorLimitExceededException limit)
            Console.Error.WriteLine($"  (the limit is {limit.Limit:N0} bytes; a file you trust can be read with a larger one, e.g. --max-weight-bytes {Math.Max(limit.Requested, limit.Limit) * 2})");
        if (verbose) Console.Error.WriteLine(e.ToString());
        else if (!expected) Console.Error.WriteLine("  (run with --verbose for the stack trace)");
        return 1;
    }

    /// <summary>What to type about a typed failure of the library (the library names no flag; the command line knows its own).</summary>
    internal static string? Advice(Exception e) => e switch
    {
        RunFolderOccupiedException => "pass --force to overwrite it or --resume to continue it",
        DeviceUnavailableException => "--device cpu runs anywhere",
        NotASingleFrameModelException => "--pretrained takes a finished single-frame run folder",
        AblationResultsMissingException missing => $"write it with `dsa ablate collect --plan PLAN --out {missing.Folder}`",
        TrainingInterruptedException => "continue with the same command and --resume",
        _ => null,
    };

    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case AggregateException { InnerExceptions.Count: 1 } a: e = a.InnerExceptions[0]; continue;
                case TargetInvocationException { InnerException: { } inner }: e = inner; continue;
                default: return e;
            }
        }
    }
}
