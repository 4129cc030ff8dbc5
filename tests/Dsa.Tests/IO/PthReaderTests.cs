using Dsa.IO;
using Dsa.Tests.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.IO;

public class PthReaderTests
{
    private static string TempPath(string ext) => Path.Combine(Path.GetTempPath(), $"pth-{Guid.NewGuid():N}{ext}");

    private static void AssertBitEqual(Tensor expected, Tensor actual, string name)
    {
        Assert.True(expected.dtype == actual.dtype, $"{name}: dtype {actual.dtype}, expected {expected.dtype}");
        Assert.True(expected.shape.SequenceEqual(actual.shape), $"{name}: shape [{string.Join(",", actual.shape)}], expected [{string.Join(",", expected.shape)}]");
        Assert.True(actual.is_contiguous(), $"{name}: not contiguous");
        using var e = expected.contiguous();
        Assert.True(e.bytes.SequenceEqual(actual.bytes), $"{name}: values differ");
    }

    [SkippableTheory]
    [InlineData("pth_edge_cases.pth")]
    [InlineData("pth_edge_cases_legacy.pth")]
    public void EdgeCaseEntriesEqualTheExpectedDenseValuesBitForBit(string file)
    {
        var path = Fixtures.Require("tensors", file);
        using var expected = Safetensors.Read(Fixtures.Require("tensors", "pth_edge_cases_expected.safetensors"));
        var actual = PthReader.ReadStateDict(path);
        try
        {
            Assert.Equal(expected.Tensors.Keys.OrderBy(k => k, StringComparer.Ordinal), actual.Keys.OrderBy(k => k, StringComparer.Ordinal));
            foreach (var (name, e) in expected.Tensors) AssertBitEqual(e, actual[name], $"{file}:{name}");
            // Entries that share one storage must not share memory after reading.
            using (torch.no_grad()) actual["base"].fill_(12345f);
            AssertBitEqual(expected["base_view_block"], actual["base_view_block"], "base_view_block after writing base");
        }
        finally { foreach (var t in actual.Values) t.Dispose(); }
    }

    [SkippableFact]
    public void HrnetTinyCheckpointEqualsTheSafetensorsWeightsBitForBit()
    {
        var path = Fixtures.Require("tensors", "hrnet_tiny.pth");
        using var io = Safetensors.Read(Fixtures.Require("tensors", "hrnet_tiny_io.safetensors"));
        var weights = io.Tensors.Where(kv => kv.Key is not ("input" or "output")).ToList();
        var actual = PthReader.ReadStateDict(path);
        try
        {
            Assert.Equal(398, actual.Count);
            Assert.Equal(weights.Select(kv => kv.Key), actual.Keys); // file (state_dict) order
            foreach (var (name, e) in weights) AssertBitEqual(e, actual[name], name);
        }
        finally { foreach (var t in actual.Values) t.Dispose(); }
    }

    [Fact]
    public void DisallowedGlobalIsRefusedWithItsNameInBothFormats()
    {
        var evil = new PickleBytes().Proto2().Global("os", "system").Str("echo pwned").Op(0x85).Op('R').Op('.').ToArray();
        var legacyLike = TempPath(".pth");
        var zip = TempPath(".pth");
        try
        {
            File.WriteAllBytes(legacyLike, evil);
            PickleBytes.WriteZip(zip, "evil", evil, new Dictionary<string, byte[]>());
            foreach (var path in new[] { legacyLike, zip })
            {
                var e = Assert.Throws<InvalidDataException>(() => PthReader.ReadObject(path));
                Assert.Contains("os.system", e.Message);
                Assert.Contains(path, e.Message);
            }
        }
        finally { File.Delete(legacyLike); File.Delete(zip); }
    }

    [SkippableFact]
    public void TruncatedCheckpointsNameTheFile()
    {
        foreach (var file in new[] { "hrnet_tiny.pth", "pth_edge_cases_legacy.pth" })
        {
            var bytes = File.ReadAllBytes(Fixtures.Require("tensors", file));
            var path = TempPath(".pth");
            try
            {
                File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
                var e = Assert.Throws<InvalidDataException>(() => PthReader.ReadStateDict(path));
                Assert.Contains(path, e.Message);
            }
            finally { File.Delete(path); }
        }
    }

    [Fact]
    public void TrainingCheckpointIsUnwrappedAndDataParallelPrefixRemoved()
    {
        // {'epoch': 3, 'state_dict': OrderedDict('module.w' -> 2x3 view, 'module.wt' -> its transpose)}
        var pkl = new PickleBytes().Proto2().Op('}')
            .Str("epoch").Int(3).Op('s')
            .Str("state_dict").EmptyOrderedDict()
            .Str("module.w").FloatTensor("0", 8, 2, new byte[] { 2, 3 }, new byte[] { 3, 1 }).Op('s')
            .Str("module.wt").FloatTensor("0", 8, 2, new byte[] { 3, 2 }, new byte[] { 1, 3 }).Op('s')
            .Op('s').Op('.').ToArray();
        var storage = Enumerable.Range(0, 8).SelectMany(i => BitConverter.GetBytes((float)i)).ToArray();
        var path = TempPath(".pt");
        try
        {
            PickleBytes.WriteZip(path, "checkpoint", pkl, new Dictionary<string, byte[]> { ["0"] = storage });
            var sd = PthReader.ReadStateDict(path);
            try
            {
                Assert.Equal(new[] { "w", "wt" }, sd.Keys);
                using var expected = torch.arange(2, 8, dtype: float32).view(2, 3);
                Assert.True(sd["w"].equal(expected).all().item<bool>());
                using var expectedT = expected.t();
                Assert.True(sd["wt"].equal(expectedT).all().item<bool>());
            }
            finally { foreach (var t in sd.Values) t.Dispose(); }
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void StorageTooSmallForTheViewIsRejected()
    {
        var pkl = new PickleBytes().Proto2().EmptyOrderedDict()
            .Str("w").FloatTensor("0", 4, 2, new byte[] { 2, 3 }, new byte[] { 3, 1 }).Op('s').Op('.').ToArray();
        var path = TempPath(".pth");
        try
        {
            PickleBytes.WriteZip(path, "bad", pkl, new Dictionary<string, byte[]> { ["0"] = new byte[16] });
            var e = Assert.Throws<InvalidDataException>(() => PthReader.ReadStateDict(path));
            Assert.Contains(path, e.Message);
        }
        finally { File.Delete(path); }
    }
}
