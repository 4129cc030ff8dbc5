using System.Text.Json.Nodes;
using Dsa.IO;
using Dsa.Nn;
using Dsa.Tests.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.Nn;

/// <summary>
/// DeformConv.DeformConv2d against torchvision.ops.deform_conv2d: every
/// shared/fixtures/tensors/deform_conv2d_*.safetensors file is a case, with all call arguments
/// (stride, padding, dilation, has_mask, has_bias) taken from the file's __metadata__.
/// </summary>
public class DeformConvParityTests
{
    private const string Absent = "(fixtures absent)";

    public static IEnumerable<object[]> Cases()
    {
        var folder = Fixtures.Root is null ? null : Path.Combine(Fixtures.Root, "tensors");
        var files = folder is not null && Directory.Exists(folder)
            ? Directory.GetFiles(folder, "deform_conv2d_*.safetensors").Select(Path.GetFileName).Order().ToArray()
            : Array.Empty<string>();
        if (files.Length == 0) return new[] { new object[] { Absent } };
        return files.Select(f => new object[] { f! });
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Float32MatchesTorchvisionOutputAndGradients(string file) => Check(file, ScalarType.Float32, 1e-4);

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Float64MatchesTorchvisionToRoundoff(string file) => Check(file, ScalarType.Float64, 1e-10);

    private static void Check(string file, ScalarType dtype, double tolerance)
    {
        Skip.If(file == Absent, "no deform_conv2d_*.safetensors fixtures found (shared/fixtures/tensors)");
        var path = Fixtures.Require("tensors", file);
        using var scope = torch.NewDisposeScope();
        using var content = Safetensors.Read(path);
        var meta = content.Metadata;
        var stride = Pair(meta, "stride", path);
        var padding = Pair(meta, "padding", path);
        var dilation = Pair(meta, "dilation", path);
        bool hasMask = Flag(meta, "has_mask", path), hasBias = Flag(meta, "has_bias", path);
        Assert.Equal(hasMask, content.Tensors.ContainsKey("mask"));
        Assert.Equal(hasBias, content.Tensors.ContainsKey("bias"));

        Tensor Leaf(string name) => content[name].to_type(dtype).detach().requires_grad_(true);
        var input = Leaf("input");
        var offset = Leaf("offset");
        var weight = Leaf("weight");
        var mask = hasMask ? Leaf("mask") : null;
        var bias = hasBias ? Leaf("bias") : null;

        var output = DeformConv.DeformConv2d(input, offset, weight, bias, mask, stride, padding, dilation);
        AssertClose(content["output"], output, $"{file} output ({dtype})", tolerance);
        output.backward(new[] { content["grad_output"].to_type(dtype) });

        AssertClose(content["grad_input"], input.grad, $"{file} grad_input ({dtype})", tolerance);
        AssertClose(content["grad_offset"], offset.grad, $"{file} grad_offset ({dtype})", tolerance);
        AssertClose(content["grad_weight"], weight.grad, $"{file} grad_weight ({dtype})", tolerance);
        if (mask is not null) AssertClose(content["grad_mask"], mask.grad, $"{file} grad_mask ({dtype})", tolerance);
        if (bias is not null) AssertClose(content["grad_bias"], bias.grad, $"{file} grad_bias ({dtype})", tolerance);
    }

    /// <summary>The fixture README's measure: max|actual - expected| / max|expected|.</summary>
    internal static void AssertClose(Tensor expected, Tensor? actual, string what, double tolerance)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.shape, actual!.shape);
        var e = expected.to_type(ScalarType.Float64);
        var a = actual.detach().to_type(ScalarType.Float64);
        double scale = e.abs().max().item<double>();
        double error = (a - e).abs().max().item<double>() / (scale > 0 ? scale : 1.0);
        Assert.True(error < tolerance, $"{what}: normalised error {error:E3} >= {tolerance:E1}");
    }

    private static (long H, long W) Pair(IReadOnlyDictionary<string, string> meta, string key, string path)
    {
        Assert.True(meta.TryGetValue(key, out var json), $"{path}: __metadata__ lacks '{key}'");
        var values = JsonNode.Parse(json!)!.AsArray().Select(v => v!.GetValue<long>()).ToArray();
        Assert.True(values.Length == 2, $"{path}: __metadata__['{key}'] = {json} is not an (h, w) pair");
        return (values[0], values[1]);
    }

    private static bool Flag(IReadOnlyDictionary<string, string> meta, string key, string path)
    {
        Assert.True(meta.TryGetValue(key, out var json), $"{path}: __metadata__ lacks '{key}'");
        return JsonNode.Parse(json!)!.GetValue<bool>();
    }
}
