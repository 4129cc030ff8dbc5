using System.Globalization;
using TorchSharp;

namespace Dsa.Nn;

/// <summary>
/// PyTorch's <c>nn.ModuleList</c> including its <c>None</c> entries: child i is registered as "i",
/// and a None entry registers nothing but still takes its index, so state-dict names keep the
/// official gaps (e.g. <c>transition2.2.0.0.weight</c> with entries 0 and 1 being None).
/// </summary>
internal sealed class OptionalModuleList<T> : torch.nn.Module where T : torch.nn.Module
{
    private readonly T?[] _items;

    public OptionalModuleList(string name, IEnumerable<T?> items) : base(name)
    {
        _items = items.ToArray();
        for (int i = 0; i < _items.Length; i++)
            if (_items[i] is { } m) register_module(i.ToString(CultureInfo.InvariantCulture), m);
    }

    public int Count => _items.Length;

    /// <summary>Entry i; null where the official list holds None (identity).</summary>
    public T? this[int i] => _items[i];
}
