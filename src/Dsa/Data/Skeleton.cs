
namespace Dsa.Data;

/// <summary>One joint of a skeleton: its id (= index), names and drawing colour.</summary>
/// <param name="Id">The PoseTrack 2017 id (poseval's Joint class), 0..14.</param>
/// <param name="Name">The workbench's short name (r_ankle ... head_top), as in expected.json.</param>
/// <param name="PoseTrackName">The PoseTrack / poseval name (right_ankle ... head_top).</param>
public sealed record JointInfo(int Id, string Name, string PoseTrackName, RgbColour Colour);

/// <summary>
/// Skeleton metadata as data (MMPose's dataset metainfo idea): joint names and ids, flip pairs,
/// limbs for drawing, colours, the paper's 7 report groups, and the PoseTrack 2018 17-slot layout.
/// </summary>
public sealed class Skeleton
{
    public IReadOnlyList<JointInfo> Joints { get; }
    /// <summary>Left/right pairs swapped by a horizontal flip.</summary>
    public IReadOnlyList<(int A, int B)> FlipPairs { get; }
    /// <summary>Bones drawn between joints.</summary>
    public IReadOnlyList<(int A, int B)> Limbs { get; }
    /// <summary>The paper's table columns (Head, Shoulder, ..., Ankle) and their joints.</summary>
    public IReadOnlyList<(string Column, int[] Joints)> ReportGroups { get; }

    public int Count => Joints.Count;

    private Skeleton(IReadOnlyList<JointInfo> joints, IReadOnlyList<(int, int)> flipPairs, IReadOnlyList<(int, int)> limbs,
        IReadOnlyList<(string, int[])> groups)
    {
        Joints = joints;
        FlipPairs = flipPairs;
        Limbs = limbs;
        ReportGroups = groups;
    }

    public int IndexOf(string name)
    {
        foreach (var j in Joints)
            if (j.Name == name || j.PoseTrackName == name) return j.Id;
        throw new KeyNotFoundException($"No joint named '{name}' in the skeleton.");
    }

    /// <summary>For each joint, the joint it becomes under a horizontal flip (itself if unpaired).</summary>
    public int[] FlipPermutation()
    {
        var p = Enumerable.Range(0, Count).ToArray();
        foreach (var (a, b) in FlipPairs) { p[a] = b; p[b] = a; }
        return p;
    }

    private static readonly RgbColour Right = new(230, 97, 1), Left = new(0, 114, 178), Centre = new(0, 158, 115);

    /// <summary>The 15 PoseTrack joints in their official (PoseTrack 2017 / poseval) id order.</summary>
    public static Skeleton PoseTrack { get; } = new(
        new JointInfo[]
        {
            new(0, "r_ankle", "right_ankle", Right), new(1, "r_knee", "right_knee", Right), new(2, "r_hip", "right_hip", Right),
            new(3, "l_hip", "left_hip", Left), new(4, "l_knee", "left_knee", Left), new(5, "l_ankle", "left_ankle", Left),
            new(6, "r_wrist", "right_wrist", Right), new(7, "r_elbow", "right_elbow", Right), new(8, "r_shoulder", "right_shoulder", Right),
            new(9, "l_shoulder", "left_shoulder", Left), new(10, "l_elbow", "left_elbow", Left), new(11, "l_wrist", "left_wrist", Left),
            new(12, "neck", "head_bottom", Centre), new(13, "nose", "nose", Centre), new(14, "head_top", "head_top", Centre),
        },
        new[] { (0, 5), (1, 4), (2, 3), (6, 11), (7, 10), (8, 9) },
        new[]
        {
            (0, 1), (1, 2), (5, 4), (4, 3), (2, 3), (2, 8), (3, 9), (8, 9), (8, 7), (7, 6), (9, 10), (10, 11),
            (8, 12), (9, 12), (12, 13), (12, 14),
        },
        new[]
        {
            ("Head", new[] { 14, 12, 13 }), ("Shoulder", new[] { 8, 9 }), ("Elbow", new[] { 7, 10 }), ("Wrist", new[] { 6, 11 }),
            ("Hip", new[] { 2, 3 }), ("Knee", new[] { 1, 4 }), ("Ankle", new[] { 0, 5 }),
        });

    /// <summary>The paper's column order (Tables 1-5).</summary>
    public static IReadOnlyList<string> ReportColumns { get; } = new[] { "Head", "Shoulder", "Elbow", "Wrist", "Hip", "Knee", "Ankle" };

    /// <summary>PoseTrack 2018 keypoint slots (COCO order; the ears are never annotated).</summary>
    public static IReadOnlyList<string> PoseTrack18KeypointNames { get; } = new[]
    {
        "nose", "head_bottom", "head_top", "left_ear", "right_ear", "left_shoulder", "right_shoulder", "left_elbow",
        "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    };

    /// <summary>PoseTrack 2018 skeleton as written in its category (1-based slot pairs).</summary>
    public static IReadOnlyList<int[]> PoseTrack18CategorySkeleton { get; } = new[]
    {
        new[] { 16, 14 }, new[] { 14, 12 }, new[] { 17, 15 }, new[] { 15, 13 }, new[] { 12, 13 }, new[] { 6, 12 }, new[] { 7, 13 },
        new[] { 6, 7 }, new[] { 6, 8 }, new[] { 7, 9 }, new[] { 8, 10 }, new[] { 9, 11 }, new[] { 2, 3 }, new[] { 1, 2 }, new[] { 1, 3 },
        new[] { 2, 4 }, new[] { 3, 5 }, new[] { 4, 6 }, new[] { 5, 7 },
    };

    /// <summary>
    /// PT17 id of each PoseTrack 2018 slot given the category's keypoint names (poseval maps by
    /// name, not by position); -1 for slots that are not PT17 joints (the ears).
    /// </summary>
    public int[] SlotsToIds(IReadOnlyList<string> keypointNames)
    {
        var map = new int[keypointNames.Count];
        for (int s = 0; s < map.Length; s++)
        {
            map[s] = -1;
            foreach (var j in Joints)
                if (j.PoseTrackName == keypointNames[s]) map[s] = j.Id;
        }
        return map;
    }
}
