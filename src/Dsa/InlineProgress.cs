namespace Dsa;

/// <summary>
/// An IProgress that runs its callback on the reporting thread, immediately. Progress&lt;T&gt; posts to
/// the captured synchronisation context instead, which reorders or delays reports in console apps
/// and tests.
/// </summary>
public sealed class InlineProgress<T>(Action<T> action) : IProgress<T>
{
    public void Report(T value) => action(value);
}
