namespace Dsa.IO;

/// <summary>
/// A weights file opened for loading: its state dict's entries as <see cref="DeclaredTensor"/>s, in
/// file order, every one already checked against the storage it views. The file stays open (and the
/// storages read so far cached) until this is disposed.
/// </summary>
public sealed class DeclaredStateDict : IDisposable
{
    private readonly IDisposable? source;

    public DeclaredStateDict(string path, IReadOnlyList<DeclaredTensor> tensors, IDisposable? source)
    {
        Path = path;
        Tensors = tensors;
        this.source = source;
    }

    /// <summary>The file, for error messages.</summary>
    public string Path { get; }

    public IReadOnlyList<DeclaredTensor> Tensors { get; }

    public DeclaredTensor? Find(string name) => Tensors.FirstOrDefault(t => t.Name == name);

    public void Dispose() => source?.Dispose();
}
