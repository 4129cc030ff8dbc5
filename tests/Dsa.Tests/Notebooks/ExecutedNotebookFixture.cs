using Dsa.Notebooks;

namespace Dsa.Tests.Notebooks;

/// <summary>
/// One notebook exercising every output kind, executed once and shared by the tests that inspect
/// it (a Roslyn script compile costs a fraction of a second each; one run keeps the suite fast).
/// </summary>
public sealed class ExecutedNotebookFixture
{
    public const int Parameters = 1, Injected = 2, Streams = 3, Update = 4, Png = 5, Html = 6, Declare = 7,
        Persist = 8, Raises = 9, AfterRaise = 10, Empty = 11, Time = 12, PoolThread = 13, Clear = 14, Frame = 15;

    public ExecutedNotebookFixture()
    {
        var template = new NotebookTemplate()
            .Markdown("# Every output kind")
            .Parameters("int epochs = 2;\ndouble lr = 0.5;\nbool verbose = false;\nstring label = \"default\";")
            .Code("Console.WriteLine($\"epochs={epochs} lr={lr} verbose={verbose} label={label}\");\nConsole.Error.WriteLine(\"careful\");")
            .Code("var handle = display(\"first\");\nhandle.Update(\"second\");")
            .Code("var bitmap = new SKBitmap(4, 3);\nbitmap.Erase(SKColors.Red);\ndisplay(bitmap);")
            .Code("Display.Html(\"<b>bold</b>\");")
            .Code("var counter = 41;")
            .Code("counter + 1")
            .Code("throw new InvalidOperationException(\"expected failure\");", NotebookRunner.RaisesExceptionTag)
            .Code("counter")
            .Code("   \n")
            .Code("#!time\nvar slept = 0;")
            .Code("await Task.Run(() => Console.WriteLine(\"from the pool\"));")
            .Code("Console.WriteLine(\"gone\");\nDisplay.Clear();\nConsole.WriteLine(\"kept\");")
            .Code("new DataFrame(new PrimitiveDataFrameColumn<double>(\"loss\", new[] { 0.26, 1.0 }))");
        Notebook = template.Build();
        var options = new NotebookRunOptions([new("epochs", "5"), new("lr", "0.01"), new("verbose", "true"), new("label", "run 1")], null);
        Result = NotebookRunner.RunAsync(Notebook, Path.GetTempPath(), options).GetAwaiter().GetResult();
        Json = NotebookJson.Serialize(Notebook);
    }

    public Notebook Notebook { get; }

    public NotebookRunResult Result { get; }

    /// <summary>The executed notebook as written to disk.</summary>
    public string Json { get; }

    public NotebookCell this[int index] => Notebook.Cells[index];
}
