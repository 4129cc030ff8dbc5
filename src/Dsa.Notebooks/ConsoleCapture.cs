using System.Text;

namespace Dsa.Notebooks;

/// <summary>
/// Console.Out/Console.Error are process-wide, yet several cells may run at once (parallel tests, a
/// kernel with several sessions). So the console is redirected once, for good, to writers that
/// forward to the cell running on the current logical call context (an AsyncLocal, which flows
/// into tasks and threads the cell starts), and to the original console when no cell is running.
/// </summary>
internal static class ConsoleCapture
{
    private static readonly AsyncLocal<OutputChannel?> Current = new();
    private static readonly object Gate = new();
    private static bool installed;

    /// <summary>Routes this call context's console output to <paramref name="channel"/> until disposed.</summary>
    public static IDisposable Route(OutputChannel channel)
    {
        Install();
        var previous = Current.Value;
        Current.Value = channel;
        return new Restore(previous);
    }

    private static void Install()
    {
        lock (Gate)
        {
            if (installed) return;
            Console.SetOut(new RoutingWriter("stdout", Console.Out));
            Console.SetError(new RoutingWriter("stderr", Console.Error));
            installed = true;
        }
    }

    private sealed class Restore(OutputChannel? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }

    private sealed class RoutingWriter(string stream, TextWriter original) : TextWriter
    {
        public override Encoding Encoding => original.Encoding;

        public override void Write(char value) => Write(value.ToString());

        public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

        public override void Write(string? value)
        {
            if (string.IsNullOrEmpty(value)) return;
            if (Current.Value is { } channel) channel.Append(stream, value);
            else original.Write(value);
        }

        public override void Flush()
        {
            if (Current.Value is { } channel) channel.Flush();
            else original.Flush();
        }
    }
}
