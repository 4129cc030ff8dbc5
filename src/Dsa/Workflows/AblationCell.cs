using Dsa.Inference;

namespace Dsa.Workflows;

/// <summary>One trained-and-evaluated (row, seed) of an ablation grid: the paper's columns and mAP, in percent.</summary>
/// <param name="PerJoint">AP per PoseTrack joint (percent), keyed by joint name.</param>
/// <param name="Seconds">Wall time of its training and evaluation in this process; 0 when it was read back from a finished run folder.</param>
/// <param name="Steps">Optimiser steps the cell trained for.</param>
/// <param name="Offsets">How well its first full-resolution GAB's offsets follow the true motion (null: no alignment, or not recorded).</param>
public sealed record AblationCell(string Row, int Seed, IReadOnlyDictionary<string, double> Columns, double Map, string RunDir, double Seconds,
    IReadOnlyDictionary<string, double>? PerJoint = null, long Steps = 0, AlignmentOffsetReport? Offsets = null);
