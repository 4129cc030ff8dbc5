using TorchSharp;

namespace Dsa;

/// <summary>Facts about the loaded libtorch, for summaries and benchmarks.</summary>
public static class TorchRuntime
{
    /// <summary>Initialises libtorch (throws with TorchSharp's message when the native library cannot load).</summary>
    public static string Describe()
    {
        var cuda = torch.cuda.is_available();
        return $"TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch threads {torch.get_num_threads()}, cuda {(cuda ? "available" : "not available")}";
    }
}
