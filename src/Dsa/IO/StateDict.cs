using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.IO;

/// <summary>A module's parameters and persistent buffers as PyTorch's <c>state_dict()</c> lists them.</summary>
public static class StateDict
{
    /// <summary>
    /// Entries in PyTorch's order: a module's own parameters, then its own persistent buffers, then
    /// each child in registration order, recursively, names joined with '.'. (TorchSharp's
    /// <c>state_dict()</c> lists all parameters before all buffers, which differs from PyTorch.)
    /// </summary>
    public static IReadOnlyList<(string Name, Tensor Value, bool IsParameter)> Entries(nn.Module module)
    {
        var result = new List<(string, Tensor, bool)>();
        Collect(module, "", result);
        return result;
    }

    private static void Collect(nn.Module module, string prefix, List<(string, Tensor, bool)> result)
    {
        foreach (var (name, p) in module.named_parameters(recurse: false)) result.Add((prefix + name, p, true));
        foreach (var (name, b) in module.named_buffers(recurse: false, include_nonpersistent: false)) result.Add((prefix + name, b, false));
        foreach (var (name, child) in module.named_children()) Collect(child, prefix + name + ".", result);
    }

    /// <summary>Writes the module's state dict (PyTorch names and order) to a safetensors file.</summary>
    public static void Save(nn.Module module, string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        Safetensors.Write(path, Entries(module).Select(e => KeyValuePair.Create(e.Name, e.Value)), metadata);

    /// <summary>Loads a safetensors file written by <see cref="Save"/> (or any state dict in safetensors) into the module.</summary>
    public static LoadReport Load(nn.Module module, string path, bool strict = true)
    {
        using var content = Safetensors.Read(path);
        try { return StateDictLoader.Load(module, content.Tensors, strict); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }
}
