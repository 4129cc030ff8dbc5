using Dsa.Data.Formats;

namespace Dsa.Data.Synthetic;

/// <summary>What <see cref="SyntheticVideoGenerator.Write"/> produced.</summary>
/// <param name="Root">The dataset root (annotations/, images/, meta/ below it).</param>
/// <param name="PersonInstances">Annotated people summed over frames.</param>
/// <param name="Joints">Annotated joints summed over people.</param>
/// <param name="OccludedJoints">Annotated joints covered by another person or an object (v = 0).</param>
/// <param name="BlurredFrames">Frames rendered with a non-zero exposure.</param>
public sealed record SyntheticVideoSummary(string Root, int Videos, int Frames, int PersonInstances, int Joints, int OccludedJoints, int BlurredFrames)
{
    /// <summary>
    /// The summary of a set already on disk (what <see cref="SyntheticVideoGenerator.Write"/> returned
    /// when it wrote it): counts from annotations/{train,val}/*.json, blurred frames from the
    /// per-frame exposures in meta/{split}/&lt;video&gt;.json.
    /// </summary>
    public static SyntheticVideoSummary Read(string root)
    {
        int videos = 0, frames = 0, instances = 0, joints = 0, occluded = 0, blurred = 0;
        foreach (var split in new[] { "train", "val" })
        {
            var dir = Path.Combine(root, "annotations", split);
            if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"Synthetic set {root}: no annotations folder {dir}.");
            foreach (var video in PoseTrackReader.ReadFolder(dir))
            {
                videos++;
                frames += video.Frames.Count;
                foreach (var person in video.Frames.SelectMany(f => f.People).Where(p => p.Points is not null))
                {
                    instances++;
                    joints += person.Points!.Count;
                    occluded += person.Points!.Count(p => p.Visible == false);
                }
                blurred += SyntheticVideoMeta.Read(Path.Combine(SyntheticVideoMeta.Folder(root, split), Path.GetFileNameWithoutExtension(video.Name) + ".json"))
                    .Frames.Count(f => f.Blurred);
            }
        }
        return new SyntheticVideoSummary(root, videos, frames, instances, joints, occluded, blurred);
    }
}
