namespace Dsa.Data.Pipeline;

/// <summary>One decoded joint: position (image pixels, or crop pixels when no transform was given) and its
/// score (the heatmap's maximum, as HRNet's get_final_preds reports it).</summary>
public readonly record struct DecodedJoint(double X, double Y, double Score);
