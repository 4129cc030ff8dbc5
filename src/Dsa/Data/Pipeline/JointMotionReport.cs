using System.Text.Json;
using System.Text.Json.Serialization;
using Dsa.IO;

namespace Dsa.Data.Pipeline;

/// <summary>
/// The result of <see cref="JointMotion.Measure"/>: per offset and per pooled distance, how far the key frame's
/// joints move in the model's heatmap pixels.
/// </summary>
/// <param name="HeatmapWidth">Heatmap width the displacements are measured in.</param>
/// <param name="Samples">Key-frame people measured (samples the training pipeline would build).</param>
/// <param name="OutsideVideo">(sample, offset) pairs whose supporting frame lies before the first or after the last frame.</param>
/// <param name="Unmatched">(sample, offset) pairs where the supporting frame is unlabelled or has no person with the same track id.</param>
public sealed record JointMotionReport(
    int HeatmapWidth, int HeatmapHeight, int InputWidth, int InputHeight, double Padding, BoxSource BoxSource,
    int Videos, int Samples, int OutsideVideo, int Unmatched,
    IReadOnlyList<OffsetMotion> ByOffset, IReadOnlyList<OffsetMotion> ByDistance)
{
    /// <summary>The pooled distribution for distance |d|.</summary>
    public DisplacementDistribution AtDistance(int distance) =>
        ByDistance.FirstOrDefault(m => m.Offset == Math.Abs(distance))?.Distribution
        ?? throw new ArgumentException($"Distance {distance} was not measured (distances: {string.Join(", ", ByDistance.Select(m => m.Offset))}).");

    /// <summary>JSON with snake_case names (what `dsa data motion --json` writes and the demo's results.json embeds).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions));

    public static JointMotionReport Read(string path) =>
        JsonSerializer.Deserialize<JointMotionReport>(File.ReadAllText(path), JsonOptions)
        ?? throw new InvalidDataException($"{path}: empty joint-motion report.");
}
