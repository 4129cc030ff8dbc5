namespace Dsa;

/// <summary>A device was asked for that this build or this machine cannot give (CUDA on the cpu backend, an unknown name).</summary>
public sealed class DeviceUnavailableException(string device, string reason) : InvalidOperationException($"device {device}: {reason}")
{
    public string Device { get; } = device;
}
