using Dsa.Data.Pipeline;

namespace Dsa.Data;

/// <summary>
/// What a batch item needs to go back to image space and to its record: the crop actually used (after
/// augmentation), the full image-&gt;input affine (flip included), and the sample's identity (video, key frame,
/// person, track id, its person box), so that predictions are written back without looking the sample up again.
/// </summary>
public sealed record SampleMeta(
    string Video,
    int KeyFrame,
    int Person,
    int? TrackId,
    CropGeometry Crop,
    bool Flipped,
    AffineTransform ImageToInput,
    double BoxScore,
    int ImageWidth,
    int ImageHeight,
    Box Box);
