namespace Dsa.Data;

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
    /// <summary>Motion blur: 0 none; 1 about one frame in eight blurred, some strongly; larger is more and stronger.
    /// The default 2 (about one frame in four, 22 % at the default size) makes the key frame often ambiguous, the
    /// situation the paper's temporal alignment is for; at 1 the single-frame model's errors are mostly not about blur.</summary>
    public double Blur { get; init; } = 2.0;
    /// <summary>Chance that a video has moving occluders (a second draw adds another); 0 disables them.</summary>
    public double Occlusion { get; init; } = 1.0;
    public int Seed { get; init; }
    public int JpegQuality { get; init; } = 90;

    public void Validate()
    {
        if (TrainVideos < 0 || ValVideos < 0 || TrainVideos + ValVideos == 0) throw new ArgumentException($"Need at least one video (train {TrainVideos}, val {ValVideos}).");
        if (Frames < 1 || Frames > 9999) throw new ArgumentException($"Frames must be 1..9999 (PoseTrack frame numbers); got {Frames}.");
        if (People < 1 || People > 50) throw new ArgumentException($"People must be 1..50; got {People}.");
        if (Width < 32 || Height < 32) throw new ArgumentException($"Frames must be at least 32x32; got {Width}x{Height}.");
        if (!(Speed >= 0) || !(Blur >= 0) || !(Occlusion >= 0)) throw new ArgumentException("Speed, Blur and Occlusion must be non-negative.");
        if (JpegQuality < 1 || JpegQuality > 100) throw new ArgumentException($"JpegQuality must be 1..100; got {JpegQuality}.");
    }
}
