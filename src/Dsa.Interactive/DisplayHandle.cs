namespace Dsa.Interactive;

/// <summary>
/// A shown value that can be replaced in place (Jupyter update_display_data by display_id), e.g. a
/// training curve redrawn every epoch instead of appended.
/// </summary>
public sealed class DisplayHandle
{
    private readonly IOutputSink origin;

    internal DisplayHandle(IOutputSink origin)
    {
        this.origin = origin;
        DisplayId = Guid.NewGuid().ToString("N");
    }

    public string DisplayId { get; }

    /// <summary>Replaces the displayed value everywhere this display id was shown.</summary>
    public void Update(object? value) =>
        Publish(new UpdateDisplayDataOutput(DsaFormatters.ToMimeBundle(value), DisplayId));

    // An update issued from a later cell belongs to that cell's message stream (Jupyter sends it on
    // IOPub while that cell runs); the notebook-wide recorder then finds the earlier output by id.
    internal void Publish(NotebookOutput output) => (Display.Current ?? origin).Publish(output);
}
