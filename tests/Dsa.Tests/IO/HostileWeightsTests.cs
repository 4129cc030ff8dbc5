using System.IO.Compression;
using Dsa.IO;
using Dsa.Nn;
using Dsa.Tests.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.IO;

/// <summary>
/// Crafted .pth files that used to crash the process or take gigabytes (issue 15, items 1 and 2):
/// each is built here from a few pickle opcodes, and each must end in an InvalidDataException that
/// names the file, quickly and without allocating what it declares.
/// </summary>
public class HostileWeightsTests
{
    private static readonly byte[] OneFloat = BitConverter.GetBytes(1f);

    private static InvalidDataException Refused(string path, Action read)
    {
        var e = Assert.Throws<InvalidDataException>(read);
        Assert.Contains(path, e.Message);
        return e;
    }

    /// <summary>PROTO 2, a million EMPTY_LISTs, then 999,999 APPENDs: lists nested a million deep (2 MB).</summary>
    private static byte[] MillionDeepLists()
    {
        const int depth = 1_000_000;
        var pkl = new byte[2 + depth + (depth - 1) + 1];
        pkl[0] = 0x80; pkl[1] = 2;
        Array.Fill(pkl, (byte)']', 2, depth);
        Array.Fill(pkl, (byte)'a', 2 + depth, depth - 1);
        pkl[^1] = (byte)'.';
        return pkl;
    }

    [Fact]
    public void AMillionNestedListsAreWalkedIterativelyAndRefusedBeyondTheDepthLimit()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "deep.pth");
        PickleBytes.WriteZip(path, "deep", MillionDeepLists(), new Dictionary<string, byte[]>());

        // What --backbone-weights does: not a state dict, said so at once.
        Assert.Contains("not a dict of tensors", Refused(path, () => PthReader.ReadStateDict(path)).Message);
        // The whole object: the walk stops at the depth limit with a clear error.
        var deep = Refused(path, () => PthReader.ReadObject(path));
        Assert.Contains($"deeper than {TensorReadLimits.DefaultMaxDepth}", deep.Message);
        Assert.IsType<TensorLimitExceededException>(deep.InnerException);
        // With the limit raised above it, the same walk (no recursion) reads all 10^6 levels.
        var root = PthReader.ReadObject(path, new TensorReadLimits { MaxDepth = 2_000_000 });
        int levels = 0;
        for (object? o = root; o is List<object?> list; o = list.Count > 0 ? list[0] : null) levels++;
        Assert.Equal(1_000_000, levels);
    }

    [Fact]
    public void AnHrnetLoadOfTheDeepFileIsAnErrorNamingIt()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "deep.pth");
        PickleBytes.WriteZip(path, "deep", MillionDeepLists(), new Dictionary<string, byte[]>());
        using var hrnet = new HRNet("hrnet", HrnetConfig.Narrow(8, 15) with { StemChannels = 8, Layer1Blocks = 1 }, includeFinalLayer: false);
        Refused(path, () => hrnet.LoadOfficialCheckpoint(path));
    }

    [Fact]
    public void AStrideZeroViewClaimingGigabytesIsRefusedBeforeAllocating()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "stride0.pth");
        // One float of storage viewed as [1e9] with stride 0: 4 GB once made dense, from a file of a few hundred bytes.
        var pkl = PickleBytes.OneEntryStateDict("w", p => p.FloatTensor("0", 1, 0, [1_000_000_000], [0]));
        PickleBytes.WriteZip(path, "a", pkl, new Dictionary<string, byte[]> { ["0"] = OneFloat });
        var e = Refused(path, () => PthReader.ReadStateDict(path));
        Assert.Contains("'w'", e.Message);
        var limit = Assert.IsType<TensorLimitExceededException>(e.InnerException);
        Assert.Equal(4_000_000_000, limit.Requested);
        // An explicit, larger limit lets it through in principle: the refusal is the limit's, not the format's.
        Assert.True(limit.Limit < 4_000_000_000);
    }

    [Fact]
    public void AModelOnlyReadsWhatItsNamesAndShapesTake()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "mismatch.pth");
        using var model = nn.Linear(3, 2);
        // 'weight' declares [1e9] over a stride-0 view: the shape differs from the model's [2, 3],
        // so the strict load refuses it from the header alone, before any data is read.
        var pkl = new PickleBytes().Proto2().EmptyOrderedDict()
            .Str("weight").FloatTensor("0", 1, 0, [1_000_000_000], [0]).Op('s')
            .Str("bias").FloatTensor("0", 1, 0, [2], [0]).Op('s').Op('.').ToArray();
        PickleBytes.WriteZip(path, "a", pkl, new Dictionary<string, byte[]> { ["0"] = OneFloat });
        using var weights = PthReader.OpenStateDict(path);
        var e = Assert.Throws<InvalidDataException>(() => StateDictLoader.Load(model, weights.Tensors));
        Assert.Contains("shape mismatch weight", e.Message);
        Assert.DoesNotContain("needs", e.Message); // the shape check, not the byte cap, refused it
    }

    [Theory]
    [InlineData(-1L, 1L, 0L, "negative")]
    [InlineData(2L, -1L, 0L, "negative stride")]
    [InlineData(2L, 1L, -1L, "negative stride or offset")]
    [InlineData(4L, 1L, 0L, "reads element 3")]
    [InlineData(long.MaxValue / 2, 4L, 0L, "overflows")]
    public void DeclaredSizesStridesAndOffsetsAreCheckedAgainstTheStorage(long size, long stride, long offset, string expected)
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "view.pth");
        var pkl = PickleBytes.OneEntryStateDict("w", p => p.FloatTensor("0", 3, offset, [size], [stride]));
        PickleBytes.WriteZip(path, "a", pkl, new Dictionary<string, byte[]> { ["0"] = new byte[12] });
        var e = Refused(path, () => PthReader.OpenStateDict(path).Dispose());
        Assert.Contains(expected, e.Message);
        Assert.Contains("'w'", e.Message);
    }

    [Fact]
    public void AStorageWhoseEntrySizeDisagreesWithItsPersistentIdIsRefused()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "numel.pth");
        // The persistent id claims 10^9 elements (4 GB); the entry holds 4 bytes.
        var pkl = PickleBytes.OneEntryStateDict("w", p => p.FloatTensor("0", 1_000_000_000, 0, [1], [1]));
        PickleBytes.WriteZip(path, "a", pkl, new Dictionary<string, byte[]> { ["0"] = OneFloat });
        Assert.Contains("declares 4 bytes", Refused(path, () => PthReader.ReadStateDict(path)).Message);
    }

    [Fact]
    public void AZipBombStorageIsRefusedBeforeItInflates()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "bomb.pth");
        const int floats = 50_000_000; // 200 MB of zeros deflate to about 200 KB
        var pkl = PickleBytes.OneEntryStateDict("w", p => p.FloatTensor("0", floats, 0, [1], [1]));
        PickleBytes.WriteZip(path, "a", pkl, new Dictionary<string, byte[]> { ["0"] = new byte[4L * floats] }, CompressionLevel.Fastest);
        Assert.True(new FileInfo(path).Length < 2_000_000);
        var e = Refused(path, () => PthReader.ReadStateDict(path));
        Assert.Contains("declares 200,000,000 bytes uncompressed", e.Message);
        Assert.IsType<TensorLimitExceededException>(e.InnerException);
        // The same file under a limit that allows it reads (the bomb is only a bomb against the limit).
        var sd = PthReader.ReadStateDict(path, new TensorReadLimits { MaxTotalBytes = 300_000_000 });
        Assert.Equal(0f, sd["w"].item<float>());
        foreach (var t in sd.Values) t.Dispose();
    }

    [Fact]
    public void Zip64ArchivesReadAndAnEntryDeclaringMoreThan2GBIsRefusedWithoutOverflow()
    {
        using var dir = new TempDir();
        var pkl = PickleBytes.OneEntryStateDict("w", p => p.FloatTensor("0", 2, 0, [2], [1]));
        var data = BitConverter.GetBytes(1.5f).Concat(BitConverter.GetBytes(-2f)).ToArray();
        string good = Path.Combine(dir.Path, "zip64.pth");
        File.WriteAllBytes(good, CraftedZip.Zip64(("a/data.pkl", pkl, null), ("a/data/0", data, null)));
        var sd = PthReader.ReadStateDict(good);
        Assert.Equal(new[] { 1.5f, -2f }, sd["w"].data<float>().ToArray());
        sd["w"].Dispose();

        string huge = Path.Combine(dir.Path, "zip64-huge.pth");
        File.WriteAllBytes(huge, CraftedZip.Zip64(("a/data.pkl", pkl, 3L << 30), ("a/data/0", data, null)));
        var e = Refused(huge, () => PthReader.ReadStateDict(huge));
        Assert.Contains("'a/data.pkl' declares 3,221,225,472 bytes", e.Message);
    }

    [Fact]
    public void ALegacyStorageClaimingMoreThanTheFileHoldsIsRefused()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "legacy.pth");
        // magic, protocol 1001, sys-info, the state dict, the key list ['0'], then a count of 10^12 elements.
        var magicNumber = System.Numerics.BigInteger.Parse("119547037146038801333356").ToByteArray();
        var magic = new PickleBytes().Proto2().Op(0x8a).Raw([(byte)magicNumber.Length]).Raw(magicNumber).Op('.').ToArray();
        var protocol = new PickleBytes().Proto2().Op('M').Raw(BitConverter.GetBytes((ushort)1001)).Op('.').ToArray();
        var sysInfo = new PickleBytes().Proto2().Op('}').Op('.').ToArray();
        var root = PickleBytes.OneEntryStateDict("w", p => p.FloatTensor("0", 1, 0, [1], [1]));
        var keys = new PickleBytes().Proto2().Op(']').Str("0").Op('a').Op('.').ToArray();
        File.WriteAllBytes(path, [.. magic, .. protocol, .. sysInfo, .. root, .. keys, .. BitConverter.GetBytes(1_000_000_000_000L), .. OneFloat]);
        Assert.Contains("claims 1000000000000 elements", Refused(path, () => PthReader.ReadStateDict(path)).Message);
    }
}

/// <summary>Issue 15's memory test: the process's own peak, with nothing else running in it.</summary>
[Collection(nameof(MemoryMeasurementCollection))]
public class HostileWeightsMemoryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [SkippableFact]
    public void APthDeclaring4GBIsRefusedUsingAtMost100MB()
    {
        using var dir = new TempDir();
        string stride0 = Path.Combine(dir.Path, "stride0.pth"), numel = Path.Combine(dir.Path, "numel.pth");
        PickleBytes.WriteZip(stride0, "a", PickleBytes.OneEntryStateDict("w", p => p.FloatTensor("0", 1, 0, [1_000_000_000], [0])),
            new Dictionary<string, byte[]> { ["0"] = BitConverter.GetBytes(1f) });
        PickleBytes.WriteZip(numel, "a", PickleBytes.OneEntryStateDict("w", p => p.FloatTensor("0", 1_000_000_000, 0, [1_000_000_000], [1])),
            new Dictionary<string, byte[]> { ["0"] = BitConverter.GetBytes(1f) });
        foreach (var path in new[] { stride0, numel })
        {
            long rise = PeakMemory.RiseDuring(() => Assert.Throws<InvalidDataException>(() => PthReader.ReadStateDict(path)));
            output.WriteLine($"{Path.GetFileName(path)}: refused; peak resident memory rose by {rise / 1048576.0:F1} MiB");
            Assert.True(rise < 100L << 20, $"{Path.GetFileName(path)}: peak memory rose by {rise >> 20} MiB");
        }
    }

    [SkippableFact]
    public void ThePeakMemoryProbeSeesA300MBTensor()
    {
        // The probe above must be able to fail: a real 300 MB allocation shows up in it.
        long rise = PeakMemory.RiseDuring(() =>
        {
            using var t = torch.ones(75_000_000, dtype: ScalarType.Float32);
        });
        output.WriteLine($"a 300 MB tensor: peak resident memory rose by {rise / 1048576.0:F1} MiB");
        Assert.True(rise > 250L << 20, $"peak memory rose by only {rise >> 20} MiB");
    }
}
