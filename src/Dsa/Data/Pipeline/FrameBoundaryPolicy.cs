namespace Dsa.Data.Pipeline;

/// <summary>What a supporting frame becomes when its offset falls outside the video.</summary>
public enum FrameBoundaryPolicy
{
    /// <summary>The nearest existing frame (the first or last frame of the video), as DCPose/PoseWarper clip the index.</summary>
    ClampToNearest,
    /// <summary>The key frame itself.</summary>
    RepeatKeyFrame,
}
