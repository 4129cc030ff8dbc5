using TorchSharp;

namespace Dsa;

/// <summary>Facts about the loaded libtorch, for summaries and benchmarks.</summary>
public static class TorchRuntime
{
    /// <summary>The TorchBackend this library was built with (cpu or cuda-linux; see Directory.Build.props).</summary>
    public static string Backend =>
        typeof(TorchRuntime).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "TorchBackend")?.Value ?? "unknown";

    /// <summary>"cpu" or "cuda[:N]"; a <see cref="DeviceUnavailableException"/> when CUDA is asked for but this build or machine lacks it.</summary>
    public static torch.Device ResolveDevice(string name)
    {
        if (name == "cpu") return torch.CPU;
        if (name.StartsWith("cuda", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new DeviceUnavailableException(name, $"CUDA is not available. This build uses the '{Backend}' TorchSharp backend; " +
                    "build with -p:TorchBackend=cuda-linux on a machine with an NVIDIA driver (see environment.md).");
            return new torch.Device(name);
        }
        throw new DeviceUnavailableException(name, "use cpu or cuda.");
    }

    /// <summary>Initialises libtorch (throws with TorchSharp's message when the native library cannot load).</summary>
    public static string Describe()
    {
        OneDnnConvolutions.EnsureConfigured(); // report what this library's networks run with
        var cuda = torch.cuda.is_available();
        return $"backend {Backend}, TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch threads {torch.get_num_threads()}, oneDNN convolutions {OneDnnConvolutions.Decision}, cuda {(cuda ? "available" : "not available")}";
    }
}
