using System.Text;
using Dsa.Interactive;

namespace Dsa.Notebooks;

/// <summary>
/// The outputs of one executing cell, on their way to the front end's sink. Console text is
/// buffered per stream and published a line at a time; any rich output first flushes pending text,
/// so the recorded order is the order the cell produced it. One lock serialises everything a cell
/// emits, from any thread. After <see cref="Close"/> (the cell finished or was abandoned) output
/// from stray threads is dropped instead of landing in another cell.
/// </summary>
internal sealed class OutputChannel(IOutputSink sink) : IOutputSink
{
    private readonly object gate = new();
    private readonly StringBuilder stdout = new();
    private readonly StringBuilder stderr = new();
    private bool closed;

    public void Publish(NotebookOutput output)
    {
        lock (gate)
        {
            if (closed) return;
            FlushLocked();
            sink.Publish(output);
        }
    }

    public void Append(string stream, string text)
    {
        lock (gate)
        {
            if (closed) return;
            var buffer = stream == "stdout" ? stdout : stderr;
            buffer.Append(text);
            // Publish complete lines as they come (a live kernel shows progress), keep the partial tail.
            // Only the new text is searched: a long partial line grown a character at a time must not
            // be rescanned on every write.
            int newline = text.LastIndexOf('\n');
            if (newline < 0) return;
            int end = buffer.Length - text.Length + newline;
            // The other stream's pending partial line was written earlier: publish it first.
            var other = stream == "stdout" ? stderr : stdout;
            if (other.Length > 0) Emit(stream == "stdout" ? "stderr" : "stdout", other, other.Length);
            Emit(stream, buffer, end + 1);
        }
    }

    public void Flush()
    {
        lock (gate)
        {
            if (!closed) FlushLocked();
        }
    }

    public void Close()
    {
        lock (gate)
        {
            if (!closed) FlushLocked();
            closed = true;
        }
    }

    private void FlushLocked()
    {
        if (stdout.Length > 0) Emit("stdout", stdout, stdout.Length);
        if (stderr.Length > 0) Emit("stderr", stderr, stderr.Length);
    }

    private void Emit(string stream, StringBuilder buffer, int length)
    {
        string text = buffer.ToString(0, length);
        buffer.Remove(0, length);
        sink.Publish(new StreamOutput(stream, text));
    }
}
