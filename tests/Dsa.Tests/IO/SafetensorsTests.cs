using Dsa.IO;
using Dsa.Tests.Infrastructure;
using TorchSharp;

namespace Dsa.Tests.IO;

public class SafetensorsTests
{
    [Fact]
    public void RoundTripKeepsNamesDtypesShapesValuesAndMetadata()
    {
        var path = Path.Combine(Path.GetTempPath(), $"st-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var a = torch.randn(3, 4);
            using var b = torch.arange(5, dtype: torch.int64);
            using var c = torch.randn(2, 2, dtype: torch.float16);
            using var d = torch.zeros(0, 3);
            Safetensors.Write(path, new Dictionary<string, torch.Tensor> { ["a"] = a, ["b"] = b, ["c"] = c, ["empty"] = d },
                new Dictionary<string, string> { ["description"] = "test" });
            using var read = Safetensors.Read(path);
            Assert.Equal("test", read.Metadata["description"]);
            Assert.True(read["a"].equal(a).all().item<bool>());
            Assert.True(read["b"].equal(b).all().item<bool>());
            Assert.True(read["c"].equal(c).all().item<bool>());
            Assert.Equal(new long[] { 0, 3 }, read["empty"].shape);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void TruncatedFileNamesTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, new byte[] { 64, 0, 0, 0, 0, 0, 0, 0, (byte)'{' });
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => Safetensors.Read(path));
            Assert.Contains(path, e.Message);
        }
        finally { File.Delete(path); }
    }

    [SkippableFact]
    public void ReadsTheReferenceFixture()
    {
        var path = Fixtures.Require("tensors", "deform_conv2d_basic_3x3.safetensors");
        using var st = Safetensors.Read(path);
        Assert.Equal(torch.float64, st["input"].dtype);
        Assert.Equal(new long[] { 1, 4, 10, 10 }, st["input"].shape);
        Assert.Contains("description", st.Metadata.Keys);
    }
}

/// <summary>Crafted safetensors headers (issue 15, item 5): each is an error naming the file and the field, never a crash.</summary>
public class HostileSafetensorsTests
{
    [Theory]
    [InlineData("""{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", "field 'shape'[0] is -1 (negative)")]
    [InlineData("""{"w":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}}""", "field 'shape' shape [4294967296, 4294967296, 4294967296] has more than")]
    [InlineData("""{"w":{"dtype":"F32","shape":[null],"data_offsets":[0,4]}}""", "field 'shape'[0] is null, not an integer")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}""", "field 'shape'[0] is 1.5, not an integer")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}""", "field 'data_offsets' has 1 values")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}""", "field 'data_offsets' [4, 0] does not fit")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1000000],"data_offsets":[0,4000000]}}""", "within 4 data bytes")]
    [InlineData("""{"w":{"dtype":7,"shape":[1],"data_offsets":[0,4]}}""", "field 'dtype' is missing or not a string")]
    [InlineData("""{"w":{"shape":[1],"data_offsets":[0,4]}}""", "field 'dtype' is missing")]
    [InlineData("""{"w":[1,2]}""", "tensor 'w' has no header object")]
    [InlineData("""{"__metadata__":{"format":3}}""", "field '__metadata__.format' is not a string")]
    [InlineData("""[1,2,3]""", "not a JSON object")]
    [InlineData("""{"w":""", "not valid JSON")]
    public void EveryHeaderFieldIsCheckedBeforeAllocating(string header, string expected)
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "crafted.safetensors");
        File.WriteAllBytes(path, CraftedSafetensors.Bytes(header, new byte[4]));
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void AHeaderLengthBeyondTheFileIsRefused()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "long.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(1UL << 40), .. "{}"u8.ToArray()]);
        Assert.Contains("header length 1099511627776 is not plausible", Assert.Throws<InvalidDataException>(() => Safetensors.Read(path)).Message);
    }
}
