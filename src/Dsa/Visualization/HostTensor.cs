using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Visualization;

/// <summary>
/// A per-sample tensor copied to host memory as float32, after its shape has been checked.
/// Renderers work on single samples ([C, h, w]); the caller slices the batch.
/// </summary>
internal sealed class HostTensor
{
    public float[] Data { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }

    private HostTensor(float[] data, int c, int h, int w)
    {
        Data = data;
        Channels = c;
        Height = h;
        Width = w;
    }

    public float this[int c, int y, int x] => Data[(c * Height + y) * Width + x];

    /// <summary>
    /// Reads a [C, h, w] tensor; <paramref name="channels"/> (when given) is the required C.
    /// Throws naming the argument and the offending shape or value.
    /// </summary>
    public static HostTensor Read(Tensor tensor, string name, int? channels = null, bool requireFinite = true)
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        var shape = tensor.shape;
        if (shape.Length != 3)
            throw new ArgumentException($"{name}: expected one sample shaped [C, h, w], got [{string.Join(", ", shape)}] (slice the batch first).", name);
        if (channels is int c && shape[0] != c)
            throw new ArgumentException($"{name}: expected {c} channels, got shape [{string.Join(", ", shape)}].", name);
        if (shape[1] < 1 || shape[2] < 1)
            throw new ArgumentException($"{name}: empty spatial size in shape [{string.Join(", ", shape)}].", name);
        float[] data;
        using (NewDisposeScope())
            data = tensor.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        if (requireFinite)
            for (int i = 0; i < data.Length; i++)
                if (!float.IsFinite(data[i]))
                {
                    long hw = shape[1] * shape[2];
                    throw new ArgumentException(
                        $"{name}: non-finite value {data[i]} at channel {i / hw}, row {i % hw / shape[2]}, column {i % shape[2]}.", name);
                }
        return new HostTensor(data, (int)shape[0], (int)shape[1], (int)shape[2]);
    }
}
