using Dsa.Data;

namespace Dsa.Evaluation;

/// <summary>How far one frame's predicted joints are from the ground truth (see <see cref="FrameErrors"/>).</summary>
/// <param name="Video">The GT video's file name.</param>
/// <param name="Position">The frame's position in the video file (poseval pairs frames by position).</param>
/// <param name="Truth">The GT frame.</param>
/// <param name="Prediction">The predicted frame at the same position.</param>
/// <param name="MeanError">Mean over the GT people's annotated joints of distance / head size (capped, see <see cref="FrameErrors"/>).</param>
/// <param name="Joints">Annotated GT joints that entered the mean.</param>
/// <param name="Missed">Of those, joints farther than poseval's 0.5 head sizes (or without a prediction).</param>
public sealed record FrameError(string Video, int Position, FrameAnnotation Truth, FrameAnnotation Prediction, double MeanError, int Joints, int Missed);
