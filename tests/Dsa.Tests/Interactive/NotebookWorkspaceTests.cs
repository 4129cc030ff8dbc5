using Dsa.Interactive;
using Dsa.Nn;
using Dsa.Tests.Infrastructure;
using Dsa.Workflows;

namespace Dsa.Tests.Interactive;

public sealed class NotebookWorkspaceTests
{
    private static string NotebooksFolder => Path.Combine(Fixtures.RepoRoot, "notebooks");

    [Fact]
    public void AnUnknownBudgetIsRefusedNamingTheTwoThatExist()
    {
        var e = Assert.Throws<ArgumentException>(() => NotebookWorkspace.Open("quick", NotebooksFolder));
        Assert.Contains("\"full\" or \"smoke\"", e.Message);
        Assert.Contains("DSA_BUDGET", e.Message);
    }

    [Fact]
    public void FindsTheRepositoryFromTheNotebookFolderOrElseFromItsOwnBuild()
    {
        using var fromNotebooks = NotebookWorkspace.Open("full", NotebooksFolder);
        Assert.Equal(Path.GetFullPath(Fixtures.RepoRoot).TrimEnd('/'), fromNotebooks.RepositoryRoot);
        Assert.False(fromNotebooks.Smoke);
        using var outside = new TempDir();
        using var fromBuild = NotebookWorkspace.Open("full", outside.Path); // no DSA.Research.sln above a temp folder
        Assert.Equal(fromNotebooks.RepositoryRoot, fromBuild.RepositoryRoot);
        Assert.Equal(Path.Combine(fromBuild.RepositoryRoot, "runs", "notebooks", "x"), fromBuild.RunFolder("x"));
    }

    [Fact]
    public void PathsAreShownRelativeToTheirRootsNeverAsMachinePaths()
    {
        using var workspace = NotebookWorkspace.Open("smoke", NotebooksFolder);
        Assert.Equal("notebooks/01-getting-started.ipynb", workspace.Show(Path.Combine(workspace.RepositoryRoot, "notebooks", "01-getting-started.ipynb")));
        Assert.Equal("fixtures/tensors/a.pth", workspace.Show(Path.Combine(workspace.FixturesRoot, "tensors", "a.pth")));
        Assert.Equal("<scratch>/run/log.jsonl", workspace.Show(Path.Combine(workspace.Scratch, "run", "log.jsonl")));
        Assert.Equal("secret.txt", workspace.Show("/somewhere/else/secret.txt"));
    }

    [Fact]
    public void TheSmokeBudgetWritesItsSetIntoTheScratchFolderAndDisposeRemovesIt()
    {
        string scratch;
        using (var workspace = NotebookWorkspace.Open("smoke", NotebooksFolder))
        {
            var data = workspace.Synthetic();
            scratch = workspace.Scratch;
            Assert.True(data.Written);
            Assert.StartsWith(scratch, data.Root);
            Assert.Equal(NotebookWorkspace.SmokeSynthetic.TrainVideos + NotebookWorkspace.SmokeSynthetic.ValVideos, data.Summary.Videos);
            Assert.False(workspace.Synthetic().Written); // present now: read, not written again

            using var clip = SampleClip.FromValidation(data, ModelPresets.CpuSmall);
            Assert.Equal(["t", "t-2", "t-1", "t+1", "t+2"], clip.FrameNames);
            Assert.Equal(5, clip.Crops.Count);
            Assert.Equal(new long[] { 1, 5, 3, ModelPresets.CpuSmall.InputHeight, ModelPresets.CpuSmall.InputWidth }, clip.Frames.shape);
            Assert.True(clip.Sample.Visibility.Count(v => v > 0) >= 12);
        }
        Assert.False(Directory.Exists(scratch));
    }

    [Fact]
    public void InThisHostTheNativeLibrariesNeedNoResolver()
    {
        // The test host has a deps.json listing runtimes/linux-x64/native; only .NET Interactive needs the resolvers.
        Assert.False(NativeLibraryResolver.Install());
    }
}
