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
