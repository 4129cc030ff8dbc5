using System.Text.Json;
using Dsa.IO;

namespace Dsa.Inference;

/// <summary>
/// How well the first full-resolution alignment stage's offsets follow the true joint motion (see
/// <see cref="AlignmentOffsetError"/>). Errors are end-point errors in heatmap pixels, means over every
/// (joint, supporting frame) pair measured.
/// </summary>
/// <param name="Stage">The stage measured (enc0 for the U-Net, cascade0 for the cascade).</param>
/// <param name="Pairs">(joint, supporting frame) pairs measured.</param>
/// <param name="TrueMotion">Mean length of the true displacement: the error of zero offsets, i.e. of no alignment.</param>
/// <param name="GabError">Mean |GAB's mean offset over the 9 taps - true displacement|; null when the stage has no GAB.</param>
/// <param name="StageError">The same for the stage's whole mean sampling displacement, GAB's offset plus LEB's translation k
/// (LEB's nine offsets (Q - I) r_i + k average to k; eq. 5); equals GabError without LEB.</param>
/// <param name="GabCloserShare">Share of pairs where GAB's offset is closer to the truth than zero is; null without GAB.</param>
/// <param name="AlignerError">The same for the whole aligner's displacement at full resolution, where it has one (the
/// cascade: its stages' sum; the coarse-to-fine U-Net: what its levels carried down plus the finest level's own), else null.
/// For the coarse-to-fine U-Net this, not the first stage's, is the number that says whether the alignment follows the motion.</param>
public sealed record AlignmentOffsetReport(
    string Stage, int Samples, int Pairs, double TrueMotion, double? GabError, double StageError, double? GabCloserShare,
    double MeanGabOffset, double? AlignerError = null)
{
    /// <summary>StageError / TrueMotion: 1 = no better than not aligning, 0 = perfect.</summary>
    public double RelativeStageError => StageError / TrueMotion;

    /// <summary>One sentence with the numbers: the error of GAB's offsets at the joints against the error of zero offsets.</summary>
    public string Summary => Stage == Nn.AlignmentFields.TotalStage
        ? $"{Pairs} (joint, supporting frame) pairs of {Samples} samples: the annotated field misses the joints' true motion by {StageError:F2} px " +
          $"against {TrueMotion:F2} px for no alignment"
        : GabError is { } gab
        ? $"{Stage}, {Pairs} (joint, supporting frame) pairs of {Samples} samples: |GAB offset - true motion| = {gab:F2} px against {TrueMotion:F2} px " +
          $"for zero offsets (no alignment); GAB is closer than zero for {GabCloserShare:P0} of the pairs; mean |GAB offset| {MeanGabOffset:F2} px" +
          (AlignerError is { } a ? $"; the whole aligner's displacement misses by {a:F2} px" : "")
        : $"{Stage} has no GAB: the stage's mean sampling displacement misses the true motion by {StageError:F2} px against {TrueMotion:F2} px for none";

    /// <summary>Where a run folder keeps it: results/alignment_offsets.json.</summary>
    public const string FileName = "alignment_offsets.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>The report as the JSON <see cref="Write"/> writes, to embed in another file.</summary>
    public System.Text.Json.Nodes.JsonNode ToJsonNode() => JsonSerializer.SerializeToNode(this, Json)!;

    public static AlignmentOffsetReport Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<AlignmentOffsetReport>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty.");
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not an alignment-offset report ({e.Message}).", e); }
    }
}
