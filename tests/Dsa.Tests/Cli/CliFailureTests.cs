using Dsa.Data;
using Dsa.Tests.Evaluation;
using Dsa.Tests.Infrastructure;
using Dsa.Tests.IO;
using Dsa.Tests.Training;
using Dsa.Visualization;
using SkiaSharp;

namespace Dsa.Tests.Cli;

/// <summary>
/// Every verb's top level (issue 15, "errors, not exceptions"): one message on standard error, exit
/// code 1 for a failure and 2 for bad usage, a stack trace only with --verbose.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public class CliFailureTests(TinySyntheticSet set) : IClassFixture<TinySyntheticSet>
{
    private string DeepPth(TempDir dir)
    {
        string path = Path.Combine(dir.Path, "deep.pth");
        var pkl = new byte[] { 0x80, 2 }.Concat(Enumerable.Repeat((byte)']', 100_000)).Concat(Enumerable.Repeat((byte)'a', 99_999)).Append((byte)'.').ToArray();
        PickleBytes.WriteZip(path, "deep", pkl, new Dictionary<string, byte[]>());
        return path;
    }

    [Fact]
    public void AFailingVerbPrintsOneMessageAndAStackTraceOnlyWithVerbose()
    {
        using var dir = new TempDir();
        string pth = DeepPth(dir);
        string[] train = ["train", "--data", set.Root, "--run", Path.Combine(dir.Path, "run"), "--steps", "1", "--force", "--backbone-weights", pth, "--threads", "1"];
        var (exit, error) = DsaCli.Run(train);
        Assert.Equal(1, exit);
        Assert.StartsWith("error: ", error.Trim());
        Assert.Contains(pth, error);
        Assert.Contains("not a dict of tensors", error);
        Assert.DoesNotContain("   at ", error);

        (exit, error) = DsaCli.Run([.. train, "--verbose"]);
        Assert.Equal(1, exit);
        Assert.Contains("   at Dsa.IO.PthReader.OpenStateDict", error);
    }

    [Fact]
    public void AnOccupiedRunFolderIsReportedWithTheFlagsThatResolveIt()
    {
        // The library's RunFolderOccupiedException names the folder only; the command line adds its own flags.
        using var dir = new TempDir();
        string run = Path.Combine(dir.Path, "run");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "config.json"), "{}");
        var (exit, error) = DsaCli.Run("train", "--data", set.Root, "--run", run, "--steps", "1", "--threads", "1");
        Assert.Equal(1, exit);
        Assert.Contains(run, error);
        Assert.Contains("--force", error);
        Assert.Contains("--resume", error);
    }

    [Fact]
    public void BadUsageExitsWith2()
    {
        var (exit, error) = DsaCli.Run("eval", "--no-such-option");
        Assert.Equal(2, exit);
        Assert.Contains("--no-such-option", error);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("NaN")]
    [InlineData("-1")]
    [InlineData("1000")]
    public void DataShowValidatesItsScale(string scale)
    {
        using var dir = new TempDir();
        string video = Path.GetFileNameWithoutExtension(Directory.GetFiles(set.Data.AnnotationsDir("val"), "*.json").Single());
        var (exit, error) = DsaCli.Run("data", "show", "--dataset", set.Root, "--video", video, "--out", Path.Combine(dir.Path, "f.png"), "--scale", scale);
        Assert.Equal(2, exit);
        Assert.Contains($"--scale {scale}", error);
        Assert.False(File.Exists(Path.Combine(dir.Path, "f.png")));
        (exit, error) = DsaCli.Run("data", "show", "--dataset", set.Root, "--video", video, "--out", Path.Combine(dir.Path, "f.png"), "--scale", "2");
        Assert.True(exit == 0, error);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(float.NaN)]
    [InlineData(-1f)]
    [InlineData(1000f)]
    public void TheOverlayRendererRefusesAScaleSkiaCannotDraw(float scale)
    {
        using var frame = new SKBitmap(320, 240);
        var annotation = new FrameAnnotation("f.jpg", 0, null, null, [], []);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => PoseOverlayRenderer.Render(frame, annotation, scale: scale));
        Assert.Equal("scale", e.ParamName);
    }
}
