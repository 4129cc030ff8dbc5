namespace Dsa.Cli.Commands;

/// <summary>IProgress that reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool and reorders output).</summary>
internal sealed class ConsoleProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
