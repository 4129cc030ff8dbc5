namespace Dsa.Interactive;

/// <summary>
/// The display API cells call (<c>display(x)</c> in a notebook is <see cref="Show"/>). Outputs go to
/// the sink of the cell that is running on this logical call context, so two notebooks executing
/// in one process (tests, a kernel with several sessions) never see each other's displays.
/// </summary>
public static class Display
{
    private static readonly AsyncLocal<IOutputSink?> CurrentSink = new();

    /// <summary>The sink of the running cell, or null outside a cell.</summary>
    public static IOutputSink? Current => CurrentSink.Value;

    /// <summary>Routes displays on this call context to <paramref name="sink"/> until the result is disposed.</summary>
    public static IDisposable Attach(IOutputSink sink)
    {
        var previous = CurrentSink.Value;
        CurrentSink.Value = sink;
        return new Restore(previous);
    }

    /// <summary>Shows a value (display_data) and returns a handle that can replace it later.</summary>
    public static DisplayHandle Show(object? value)
    {
        var handle = new DisplayHandle(RequireSink());
        handle.Publish(new DisplayDataOutput(DsaFormatters.ToMimeBundle(value), handle.DisplayId));
        return handle;
    }

    /// <summary>Shows an HTML fragment as it is (text/html, with the markup as the text/plain fallback).</summary>
    public static DisplayHandle Html(string html)
    {
        var handle = new DisplayHandle(RequireSink());
        var bundle = new Dictionary<string, string> { [DsaFormatters.Html] = html, [DsaFormatters.PlainText] = html };
        handle.Publish(new DisplayDataOutput(bundle, handle.DisplayId));
        return handle;
    }

    /// <summary>Clears the running cell's outputs (with <paramref name="wait"/>: when the next output arrives, avoiding flicker).</summary>
    public static void Clear(bool wait = false) => RequireSink().Publish(new ClearOutput(wait));

    private static IOutputSink RequireSink() =>
        CurrentSink.Value ?? throw new InvalidOperationException("display(...) was called outside a running notebook cell.");

    private sealed class Restore(IOutputSink? previous) : IDisposable
    {
        public void Dispose() => CurrentSink.Value = previous;
    }
}
