using System.Text.Json;
using Dsa.IO;

namespace Dsa.Data.Synthetic;

/// <summary>
/// Settings of <see cref="SyntheticVideoGenerator"/>. Defaults: 24 train + 8 val videos of 30 frames at
/// 320x240 with 3 people each (walking in and out of view), generated in seconds, small enough for a 10-minute CPU demo to train on.
/// </summary>
public sealed record SyntheticVideoConfig
{
    public int TrainVideos { get; init; } = 24;
    public int ValVideos { get; init; } = 8;
    public int Frames { get; init; } = 30;
    /// <summary>People per video (some walk in or out during the clip).</summary>
    public int People { get; init; } = 3;
    public int Width { get; init; } = 320;
    public int Height { get; init; } = 240;
    /// <summary>Multiplies walking, limb and camera speeds.</summary>
    public double Speed { get; init; } = 1.0;
    /// <summary>Spread of a per-video speed factor: <see cref="Speed"/> times exp(SpeedSpread * N(0, 1)), so some videos are
    /// calm and a few fast, as in real footage. 0: every video at <see cref="Speed"/>.</summary>
    public double SpeedSpread { get; init; }
    /// <summary>Multiplies the camera's random shake (its frame-to-frame jitter), on top of <see cref="Speed"/>.</summary>
    public double CameraShake { get; init; } = 1.0;
    /// <summary>Multiplies the camera's steady pan, on top of <see cref="Speed"/>.</summary>
    public double CameraPan { get; init; } = 1.0;
    /// <summary>Multiplies the people's walking speed across the scene, on top of <see cref="Speed"/>.</summary>
    public double Walk { get; init; } = 1.0;
    /// <summary>Multiplies how often a limb makes a fast swing (1: about one per person per 20 frames).</summary>
    public double LimbSwings { get; init; } = 1.0;
    /// <summary>Motion blur: 0 none; 1 about one frame in eight blurred, some strongly; larger is more and stronger.
    /// The default 2 (about one frame in four, 22 % at the default size) makes the key frame often ambiguous, the
    /// situation the paper's temporal alignment is for; at 1 the single-frame model's errors are mostly not about blur.</summary>
    public double Blur { get; init; } = 2.0;
    /// <summary>Chance that a video has moving occluders (a second draw adds another); 0 disables them.</summary>
    public double Occlusion { get; init; } = 1.0;
    public int Seed { get; init; }
    public int JpegQuality { get; init; } = 90;

    /// <summary>The file at a synthetic set's root that records the configuration it was generated with.</summary>
    public const string FileName = "synthetic_config.json";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>The configuration recorded in a set's <see cref="FileName"/>; null when the folder has none (older sets).</summary>
    public static SyntheticVideoConfig? ReadFrom(string root)
    {
        var path = Path.Combine(root, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            var config = JsonSerializer.Deserialize<SyntheticVideoConfig>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path}: empty.");
            config.Validate();
            return config;
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: not a synthetic-set configuration ({e.Message}).", e);
        }
    }

    public void Validate()
    {
        if (TrainVideos < 0 || ValVideos < 0 || TrainVideos + ValVideos == 0) throw new ArgumentException($"Need at least one video (train {TrainVideos}, val {ValVideos}).");
        if (Frames < 1 || Frames > 9999) throw new ArgumentException($"Frames must be 1..9999 (PoseTrack frame numbers); got {Frames}.");
        if (People < 1 || People > 50) throw new ArgumentException($"People must be 1..50; got {People}.");
        if (Width < 32 || Height < 32) throw new ArgumentException($"Frames must be at least 32x32; got {Width}x{Height}.");
        if (!(Speed >= 0) || !(Blur >= 0) || !(Occlusion >= 0)) throw new ArgumentException("Speed, Blur and Occlusion must be non-negative.");
        foreach (var (name, value) in new[] { ("SpeedSpread", SpeedSpread), ("CameraShake", CameraShake), ("CameraPan", CameraPan), ("Walk", Walk), ("LimbSwings", LimbSwings) })
            if (!(value >= 0) || !double.IsFinite(value)) throw new ArgumentException($"{name} = {value} must be a non-negative number.");
        if (JpegQuality < 1 || JpegQuality > 100) throw new ArgumentException($"JpegQuality must be 1..100; got {JpegQuality}.");
    }
}
