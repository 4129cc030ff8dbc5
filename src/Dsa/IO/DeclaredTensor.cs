using static TorchSharp.torch;

namespace Dsa.IO;

/// <summary>
/// A tensor as a weights file declares it (name, dtype, shape), with its data not yet read. Loaders
/// compare names and shapes with the target model first (<see cref="StateDictLoader"/>) and read only
/// what the model takes, so a file cannot make them allocate more than the model itself needs.
/// </summary>
public sealed class DeclaredTensor
{
    private readonly Func<Tensor> read;

    public DeclaredTensor(string name, ScalarType dtype, long[] shape, Func<Tensor> read)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        this.read = read;
    }

    public string Name { get; }

    public ScalarType DType { get; }

    public long[] Shape { get; }

    /// <summary>Reads the data: a new dense, contiguous CPU tensor the caller owns (disposes).</summary>
    public Tensor Read() => read();

    /// <summary>A tensor already in memory (the caller keeps owning it; <see cref="Read"/> returns an alias).</summary>
    public static DeclaredTensor InMemory(string name, Tensor tensor) => new(name, tensor.dtype, tensor.shape, tensor.alias);

    /// <summary>Bytes per element of the dtypes weights files store.</summary>
    public static int ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool => 1,
        _ => throw new NotSupportedException($"dtype {dtype} is not stored in weights files."),
    };

    /// <summary>
    /// The product of <paramref name="shape"/>, checked: every dimension non-negative, no overflow.
    /// <paramref name="error"/> turns a description of the problem into the exception to throw.
    /// </summary>
    public static long ElementCount(IReadOnlyList<long> shape, Func<string, Exception> error)
    {
        long n = 1;
        for (int d = 0; d < shape.Count; d++)
        {
            if (shape[d] < 0) throw error($"dimension {d} is {shape[d]} (negative)");
            try { n = checked(n * shape[d]); }
            catch (OverflowException) { throw error($"shape [{string.Join(", ", shape)}] has more than {long.MaxValue} elements"); }
        }
        return n;
    }
}
