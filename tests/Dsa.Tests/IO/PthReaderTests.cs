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

    public static IEnumerable<object[]> HrnetCases() => Nn.HrnetCases.Names();

    [SkippableTheory]
    [MemberData(nameof(HrnetCases))]
    public void HrnetCheckpointEqualsTheSafetensorsWeightsBitForBit(string stem)
    {
        var path = Nn.HrnetCases.File(stem, ".pth");
        using var io = Safetensors.Read(Nn.HrnetCases.File(stem, "_io.safetensors"));
        var weights = io.Tensors.Where(kv => kv.Key is not ("input" or "output")).ToList();
        var actual = PthReader.ReadStateDict(path);
        try
        {
            Assert.Equal(weights.Count, actual.Count);
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

    private static object? ReadPickleInZip(byte[] pkl)
    {
        var path = TempPath(".pth");
        try
        {
            PickleBytes.WriteZip(path, "plain", pkl, new Dictionary<string, byte[]>());
            return PthReader.ReadObject(path);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Protocol0TextOpcodesDecodeLikePython()
    {
        // CPython: pickle.dumps({'a': [1, 2**70, -1.5, 'x\u00e9\u4e2d', True, None, (1, 2)], 'b': "a'b"}, protocol=0)
        var pkl = System.Text.Encoding.Latin1.GetBytes(
            "(dp0\nVa\np1\n(lp2\nI1\naL1180591620717411303424L\naF-1.5\naVx\u00e9\\u4e2d\np3\naI01\naNa(I1\nI2\ntp4\nasVb\np5\nVa'b\np6\ns.");
        var d = Assert.IsType<OrderedDictionary<object, object?>>(ReadPickleInZip(pkl));
        var a = Assert.IsType<List<object?>>(d["a"]);
        Assert.Equal(1L, a[0]);
        Assert.Equal(System.Numerics.BigInteger.Pow(2, 70), a[1]);
        Assert.Equal(-1.5, a[2]);
        Assert.Equal("x\u00e9\u4e2d", a[3]);
        Assert.Equal(true, a[4]);
        Assert.Null(a[5]);
        Assert.Equal(new object?[] { 1L, 2L }, a[6]);
        Assert.Equal("a'b", d["b"]);
    }

    [Fact]
    public void Protocol4FramedOpcodesDecodeLikePython()
    {
        // CPython: pickle.dumps(['ab', b'\x00\x01', 300, -2, 2**40, {'k': 1.25}, (1,), (1, 2, 3), frozenset()], protocol=4)
        var pkl = new byte[]
        {
            0x80, 0x04, 0x95, 0x3e, 0, 0, 0, 0, 0, 0, 0, (byte)']', 0x94, (byte)'(', 0x8c, 0x02, (byte)'a', (byte)'b', 0x94,
            (byte)'C', 0x02, 0x00, 0x01, 0x94, (byte)'M', 0x2c, 0x01, (byte)'J', 0xfe, 0xff, 0xff, 0xff,
            0x8a, 0x06, 0, 0, 0, 0, 0, 0x01, (byte)'}', 0x94, 0x8c, 0x01, (byte)'k', 0x94,
            (byte)'G', 0x3f, 0xf4, 0, 0, 0, 0, 0, 0, (byte)'s', (byte)'K', 0x01, 0x85, 0x94,
            (byte)'K', 0x01, (byte)'K', 0x02, (byte)'K', 0x03, 0x87, 0x94, (byte)'(', 0x91, 0x94, (byte)'e', (byte)'.',
        };
        var list = Assert.IsType<List<object?>>(ReadPickleInZip(pkl));
        Assert.Equal(9, list.Count);
        Assert.Equal("ab", list[0]);
        Assert.Equal(new byte[] { 0, 1 }, list[1]);
        Assert.Equal(300L, list[2]);
        Assert.Equal(-2L, list[3]);
        Assert.Equal(1L << 40, list[4]);
        Assert.Equal(1.25, Assert.IsType<OrderedDictionary<object, object?>>(list[5])["k"]);
        Assert.Equal(new object?[] { 1L }, list[6]);
        Assert.Equal(new object?[] { 1L, 2L, 3L }, list[7]);
        Assert.Empty(Assert.IsType<List<object?>>(list[8]));
    }
}
