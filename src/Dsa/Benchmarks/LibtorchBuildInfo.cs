using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using TorchSharp;

namespace Dsa.Benchmarks;

/// <summary>
/// What the loaded libtorch says about its own build and thread pools: <c>at::get_parallel_info()</c> and
/// <c>at::show_config()</c>, the texts behind PyTorch's <c>torch.__config__.parallel_info()</c> and <c>.show()</c>, and
/// <c>at::Context::hasMKLDNN()</c> (<c>torch.backends.mkldnn.is_available()</c>). The training benchmark's --profile
/// records them beside the PyTorch mirror's, because libtorch 2.10 and Debian's PyTorch 1.13 differ in defaults (BLAS,
/// CPU capability, thread pools) that the times alone do not show.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 binds none of the three, so they are called by their exported names, as
/// <see cref="OneDnnConvolutions"/> does. The two texts are returned as <c>std::string</c> by value: in the Itanium
/// C++ ABI on x86-64 the caller passes the result's storage as a hidden first argument, and a libstdc++ (C++11 ABI)
/// string is { char* data; size_t length; 16 bytes of inline buffer or capacity }. Anything other than linux-x64 gets
/// null rather than a guess at another ABI.
/// </remarks>
public static partial class LibtorchBuildInfo
{
    /// <summary>at::get_parallel_info(): the ATen, OpenMP, MKL and oneDNN thread settings; null where it cannot be read.</summary>
    public static string? ParallelInfo() => ReadString(get_parallel_info);

    /// <summary>at::show_config(): the build settings (BLAS, CPU capability, versions); null where it cannot be read.</summary>
    public static string? BuildConfig() => ReadString(show_config);

    /// <summary>Whether this libtorch was built with oneDNN (MKLDNN) at all; null where it cannot be asked.</summary>
    public static bool? MkldnnAvailable()
    {
        if (!Supported) return null;
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU); // libtorch_cpu must be loaded before its symbols resolve
            return hasMKLDNN();
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException) { return null; }
    }

    /// <summary>"CPU capability usage: AVX512" in a show_config text -> "AVX512"; null where absent.</summary>
    public static string? CpuCapability(string? buildConfig) => Match(CpuCapabilityPattern(), buildConfig);

    /// <summary>"BLAS_INFO=mkl" in a show_config text -> "mkl"; null where absent.</summary>
    public static string? BlasInfo(string? buildConfig) => Match(BlasInfoPattern(), buildConfig);

    /// <summary>"ATen parallel backend: OpenMP" in a parallel_info text -> "OpenMP"; null where absent.</summary>
    public static string? ParallelBackend(string? parallelInfo) => Match(ParallelBackendPattern(), parallelInfo);

    /// <summary>"TORCH_VERSION=2.10.0" in a show_config text -> "2.10.0"; null where absent.</summary>
    public static string? TorchVersion(string? buildConfig) => Match(TorchVersionPattern(), buildConfig);

    private static string? Match(Regex pattern, string? text) =>
        text is not null && pattern.Match(text) is { Success: true } m ? m.Groups[1].Value.Trim() : null;

    [GeneratedRegex(@"CPU capability usage:\s*([^\r\n]+)")]
    private static partial Regex CpuCapabilityPattern();

    [GeneratedRegex(@"BLAS_INFO=([^,\s]+)")]
    private static partial Regex BlasInfoPattern();

    [GeneratedRegex(@"ATen parallel backend:\s*([^\r\n]+)")]
    private static partial Regex ParallelBackendPattern();

    [GeneratedRegex(@"TORCH_VERSION=([^,\s]+)")]
    private static partial Regex TorchVersionPattern();

    private static bool Supported => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    private delegate void StringReturning(IntPtr result);

    private static string? ReadString(StringReturning call)
    {
        if (!Supported) return null;
        IntPtr storage = Marshal.AllocHGlobal(64); // 32 bytes are a std::string; the rest is slack
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            call(storage);
            IntPtr data = Marshal.ReadIntPtr(storage);
            long length = Marshal.ReadInt64(storage, IntPtr.Size);
            string text = Marshal.PtrToStringUTF8(data, checked((int)length));
            // A string longer than the 15-character inline buffer owns a heap block from operator new: give it back.
            if (data != storage + 2 * IntPtr.Size) operatorDelete(data);
            return text;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException) { return null; }
        finally { Marshal.FreeHGlobal(storage); }
    }

    // std::string at::get_parallel_info()
    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at17get_parallel_infoB5cxx11Ev")]
    private static extern void get_parallel_info(IntPtr result);

    // std::string at::show_config()
    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at11show_configB5cxx11Ev")]
    private static extern void show_config(IntPtr result);

    // static bool at::Context::hasMKLDNN()
    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context9hasMKLDNNEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool hasMKLDNN();

    // void operator delete(void*), from the libstdc++ libtorch allocates with.
    [DllImport("libstdc++.so.6", EntryPoint = "_ZdlPv")]
    private static extern void operatorDelete(IntPtr block);
}
