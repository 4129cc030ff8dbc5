namespace Dsa.Data;

/// <summary>Where a sample's person box comes from.</summary>
public enum BoxSource
{
    /// <summary>The annotation's person box (PT18 bbox); the keypoint box when the file has none (PT17).</summary>
    AnnotatedBox,
    /// <summary>Always from the labelled keypoints with poseval's rule (centre of their extent +- 0.65 extent),
    /// so PT17 and PT18 copies of the same GT give the same crops.</summary>
    Keypoints,
    /// <summary>A person detector's box (top-down evaluation as in the paper).</summary>
    Detection,
}
