using SkiaSharp;

namespace Dsa.Data.Synthetic;

/// <summary>
/// One synthetic person: a 2-D kinematic chain (pelvis -&gt; torso -&gt; neck -&gt; head; shoulders -&gt; elbows
/// -&gt; wrists; hips -&gt; knees -&gt; ankles) with limb lengths as fractions of body height, driven by a
/// walking gait, slow turning (yaw narrows the shoulders and hips and, past 90 degrees, swaps the sides
/// in the image), smooth random wobble of every angle and occasional fast swings of one limb.
/// </summary>
internal sealed class Actor : IDisposable
{
    // Limb lengths and widths in body heights.
    private const double Torso = 0.30, Head = 0.17, UpperArm = 0.16, Forearm = 0.15, Thigh = 0.24, Shin = 0.24;
    private const double ShoulderHalf = 0.11, HipHalf = 0.075;
    private const double MaxGaitOmega = 1.2;

    private readonly double _x0, _vx, _gaitOmega, _gaitPhase, _armSwing, _legSwing, _yaw0, _yawRate, _leanAmp;
    private readonly (double A, double W, double P)[][] _wobble;
    private readonly (int Angle, double Start, double Duration, double Amplitude)[] _swings;
    private readonly SKShader _shirtNear, _shirtFar, _pantsNear, _pantsFar;
    private readonly SKColor _skin, _hair;

    public int TrackId { get; }
    public double BodyHeight { get; }
    public double FeetY { get; }

    public Actor(SyntheticVideoConfig c, Random rng, int trackId)
    {
        TrackId = trackId;
        double depth = rng.NextDouble(); // 0 far (small, high in the frame) .. 1 near
        BodyHeight = c.Height * (0.38 + 0.42 * depth);
        FeetY = c.Height * (0.62 + 0.34 * depth) + c.Height * 0.3; // world y; the camera starts up to 0.5 H down the texture
        double dir = rng.NextDouble() < 0.5 ? -1 : 1;
        double speed = c.Speed * (0.3 + 2.2 * rng.NextDouble()) * BodyHeight / 150;
        _vx = dir * speed * c.Walk;
        // Some people start outside the frame and walk in; others cross it and walk out.
        double span = c.Width * 2; // the world is the background texture's width
        _x0 = rng.NextDouble() < 0.3 ? span / 2 - dir * (c.Width * 0.6 + rng.NextDouble() * c.Width * 0.3) : span * (0.3 + 0.4 * rng.NextDouble());
        // At most 1.2 rad per frame (a stride every 5 frames): faster gaits alias, legs would look random from frame to frame.
        _gaitOmega = Math.Min(MaxGaitOmega, (0.15 + 0.2 * rng.NextDouble()) * Math.Max(0.2, c.Speed) * (0.4 + speed / Math.Max(1e-6, BodyHeight / 150)));
        _gaitPhase = rng.NextDouble() * 2 * Math.PI;
        _armSwing = 0.2 + 0.5 * rng.NextDouble();
        _legSwing = 0.15 + 0.4 * rng.NextDouble();
        _yaw0 = (rng.NextDouble() < 0.25 ? Math.PI : 0) + (rng.NextDouble() * 2.4 - 1.2);
        _yawRate = (rng.NextDouble() * 2 - 1) * 0.05 * c.Speed;
        _leanAmp = 0.08 * rng.NextDouble();
        _wobble = Enumerable.Range(0, 10).Select(_ => SyntheticVideoGenerator.Wobble(rng, 3, 0.12, 0.05 * c.Speed, 0.35 * c.Speed)).ToArray();
        // Fast motion: on average one limb swing per person per 20 frames, lasting 2-5 frames.
        int swings = (int)(c.LimbSwings * c.Frames / 20.0 * (0.5 + rng.NextDouble()));
        _swings = Enumerable.Range(0, swings).Select(_ => (2 + rng.Next(8), rng.NextDouble() * c.Frames, 2 + 3 * rng.NextDouble() / Math.Max(0.5, c.Speed),
            (rng.NextDouble() < 0.5 ? -1 : 1) * (1.0 + 1.4 * rng.NextDouble()))).ToArray();
        var (shirt1, shirt2) = (Textures.RandomColor(rng), Textures.RandomColor(rng));
        var (pants1, pants2) = (Textures.RandomColor(rng, 0.6), Textures.RandomColor(rng, 0.6));
        float stripe = (float)(BodyHeight * (0.03 + 0.05 * rng.NextDouble()));
        float angle = (float)(rng.NextDouble() * Math.PI);
        _shirtNear = Textures.Stripes(shirt1, shirt2, stripe, angle, 1f);
        _shirtFar = Textures.Stripes(shirt1, shirt2, stripe, angle, 0.65f);
        _pantsNear = Textures.Stripes(pants1, pants2, stripe * 0.6f, angle + 1.3f, 1f);
        _pantsFar = Textures.Stripes(pants1, pants2, stripe * 0.6f, angle + 1.3f, 0.65f);
        var tones = new[] { new SKColor(241, 194, 125), new SKColor(224, 172, 105), new SKColor(198, 134, 66), new SKColor(141, 85, 36), new SKColor(92, 58, 33) };
        _skin = tones[rng.Next(tones.Length)];
        _hair = Textures.RandomColor(rng, 0.35);
    }

    private double Angle(int k, double t)
    {
        double a = SyntheticVideoGenerator.Sum(_wobble[k], t);
        foreach (var (angle, start, duration, amplitude) in _swings)
            if (angle == k && t > start && t < start + duration)
            {
                double s = Math.Sin(Math.PI * (t - start) / duration);
                a += amplitude * s * s;
            }
        return a;
    }

    private static (double X, double Y) Dir(double a) => (Math.Sin(a), Math.Cos(a)); // a = 0 points down the image

    /// <summary>The pose at time t (frames) in image pixels for a camera at <paramref name="cam"/>.</summary>
    public ActorPose Pose(double t, (double X, double Y) cam)
    {
        double h = BodyHeight, phase = _gaitOmega * t + _gaitPhase, s = Math.Sin(phase);
        double dirSign = Math.Sign(_vx) == 0 ? 1 : Math.Sign(_vx);
        double yaw = _yaw0 + _yawRate * t;
        double wf = Math.Cos(yaw); // shoulder/hip width factor; negative: facing away, sides swap in the image
        double side = 0.35 + 0.65 * Math.Abs(Math.Sin(yaw)); // gait swing is larger seen from the side
        double lean = _leanAmp * Math.Sin(0.3 * t) + Angle(0, t) * 0.5;
        var pelvis = (X: _x0 + _vx * t - cam.X, Y: FeetY - (Thigh + Shin) * h - 0.012 * h * Math.Cos(2 * phase) - cam.Y);
        var down = Dir(lean);
        var right = (X: down.Y, Y: -down.X); // image-right perpendicular of the torso
        (double X, double Y) At((double X, double Y) o, (double X, double Y) d, double len) => (o.X + d.X * len * h, o.Y + d.Y * len * h);
        var neck = At(pelvis, down, -Torso);
        var shoulderCentre = At(neck, down, 0.04);
        var j = new (double X, double Y)[15];
        j[12] = neck;
        j[8] = At(shoulderCentre, right, -ShoulderHalf * wf);
        j[9] = At(shoulderCentre, right, ShoulderHalf * wf);
        j[2] = At(pelvis, right, -HipHalf * wf);
        j[3] = At(pelvis, right, HipHalf * wf);
        var headDir = Dir(lean + Math.PI + Angle(1, t) * 0.6);
        j[14] = At(neck, headDir, Head);
        var headRight = (X: -headDir.Y, Y: headDir.X);
        j[13] = At(At(neck, headDir, 0.085), headRight, 0.045 * Math.Sin(yaw) * (wf >= 0 ? 1 : -1));
        // Arms hang slightly outwards and swing against the legs; elbows bend forwards.
        double outward = 0.12 * Math.Sign(wf == 0 ? 1 : wf);
        double rs = lean - outward - dirSign * _armSwing * s * side + Angle(2, t);
        double ls = lean + outward + dirSign * _armSwing * s * side + Angle(4, t);
        j[7] = At(j[8], Dir(rs), UpperArm);
        j[6] = At(j[7], Dir(rs + dirSign * (0.25 + 0.3 * Math.Max(0, s)) + Angle(3, t)), Forearm);
        j[10] = At(j[9], Dir(ls), UpperArm);
        j[11] = At(j[10], Dir(ls + dirSign * (0.25 + 0.3 * Math.Max(0, -s)) + Angle(5, t)), Forearm);
        double rh = dirSign * _legSwing * s * side + Angle(6, t) * 0.7;
        double lh = -dirSign * _legSwing * s * side + Angle(8, t) * 0.7;
        j[1] = At(j[2], Dir(rh), Thigh);
        j[0] = At(j[1], Dir(rh - dirSign * 0.6 * Math.Max(0, Math.Sin(phase + 1.2)) * side + Angle(7, t) * 0.5), Shin);
        j[4] = At(j[3], Dir(lh), Thigh);
        j[5] = At(j[4], Dir(lh - dirSign * 0.6 * Math.Max(0, Math.Sin(phase + 1.2 + Math.PI)) * side + Angle(9, t) * 0.5), Shin);
        return new ActorPose(j, h, wf < 0, Math.Sin(yaw) > 0);
    }

    public void Draw(SKCanvas canvas, double t, (double X, double Y) cam)
    {
        var pose = Pose(t, cam);
        var j = pose.Joints;
        double h = BodyHeight;
        // The side turned away from the camera is drawn first and darker (a depth cue the model can use).
        bool rightFar = pose.RightFar;
        int[][] rightArm = [[8, 7, 6]], leftArm = [[9, 10, 11]], rightLeg = [[2, 1, 0]], leftLeg = [[3, 4, 5]];
        void Limbs(int[][] chain, SKShader shader, double upper, double lower)
        {
            foreach (var c in chain)
            {
                Segment(canvas, j[c[0]], j[c[1]], upper * h, shader);
                Segment(canvas, j[c[1]], j[c[2]], lower * h, shader);
            }
        }
        void Hand(int w, bool far) => Disc(canvas, j[w], 0.028 * h, far ? Darken(_skin) : _skin);
        void Foot(int a, bool far) => Disc(canvas, j[a], 0.032 * h, far ? new SKColor(25, 25, 25) : new SKColor(50, 45, 40));
        Limbs(rightFar ? rightLeg : leftLeg, _pantsFar, ArmLegWidth.Thigh, ArmLegWidth.Shin);
        Foot(rightFar ? 0 : 5, true);
        Limbs(rightFar ? rightArm : leftArm, _shirtFar, ArmLegWidth.UpperArm, ArmLegWidth.Forearm);
        Hand(rightFar ? 6 : 11, true);
        // Torso: the shoulder-hip quad, stroked so that it keeps some width when seen from the side.
        using (var path = new SKPath())
        {
            path.MoveTo(P(j[8])); path.LineTo(P(j[9])); path.LineTo(P(j[3])); path.LineTo(P(j[2])); path.Close();
            using var fill = new SKPaint { Shader = _shirtNear, IsAntialias = true, Style = SKPaintStyle.StrokeAndFill, StrokeWidth = (float)(0.09 * h), StrokeJoin = SKStrokeJoin.Round };
            canvas.DrawPath(path, fill);
        }
        Segment(canvas, j[12], At(j[12], j[14], 0.3), 0.05 * h, null, _skin); // neck
        Limbs(rightFar ? leftLeg : rightLeg, _pantsNear, ArmLegWidth.Thigh, ArmLegWidth.Shin);
        Foot(rightFar ? 5 : 0, false);
        // Head: skin disc, hair cap on top (all hair when facing away), a nose dot when facing the camera.
        var centre = At(j[12], j[14], 0.5);
        double radius = 0.5 * Dist(j[12], j[14]) * 0.95;
        Disc(canvas, centre, radius, pose.FacingAway ? _hair : _skin);
        using (var hair = new SKPaint { Color = _hair, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = (float)(radius * 0.5) })
        {
            var box = new SKRect((float)(centre.X - radius * 0.75), (float)(centre.Y - radius * 0.75), (float)(centre.X + radius * 0.75), (float)(centre.Y + radius * 0.75));
            float up = (float)(Math.Atan2(j[14].Y - j[12].Y, j[14].X - j[12].X) * 180 / Math.PI);
            canvas.DrawArc(box, up - 70, 140, false, hair);
        }
        if (!pose.FacingAway) Disc(canvas, j[13], 0.018 * h, Darken(_skin));
        Limbs(rightFar ? leftArm : rightArm, _shirtNear, ArmLegWidth.UpperArm, ArmLegWidth.Forearm);
        Hand(rightFar ? 11 : 6, false);
    }

    private static class ArmLegWidth
    {
        public const double UpperArm = 0.06, Forearm = 0.05, Thigh = 0.085, Shin = 0.065;
    }

    /// <summary>Limb capsules (joint a, joint b, half width in body heights) used for occlusion tests.</summary>
    internal static readonly (int A, int B, double HalfWidth)[] Capsules =
    [
        (8, 7, ArmLegWidth.UpperArm / 2), (7, 6, ArmLegWidth.Forearm / 2), (9, 10, ArmLegWidth.UpperArm / 2), (10, 11, ArmLegWidth.Forearm / 2),
        (2, 1, ArmLegWidth.Thigh / 2), (1, 0, ArmLegWidth.Shin / 2), (3, 4, ArmLegWidth.Thigh / 2), (4, 5, ArmLegWidth.Shin / 2),
    ];

    private static SKPoint P((double X, double Y) p) => new((float)p.X, (float)p.Y);
    private static (double X, double Y) At((double X, double Y) a, (double X, double Y) b, double f) => (a.X + (b.X - a.X) * f, a.Y + (b.Y - a.Y) * f);
    internal static double Dist((double X, double Y) a, (double X, double Y) b) => Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));
    private static SKColor Darken(SKColor c) => new((byte)(c.Red * 0.65), (byte)(c.Green * 0.65), (byte)(c.Blue * 0.65));

    private static void Segment(SKCanvas canvas, (double X, double Y) a, (double X, double Y) b, double width, SKShader? shader, SKColor color = default)
    {
        using var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeCap = SKStrokeCap.Round, StrokeWidth = (float)width };
        if (shader is not null) paint.Shader = shader; else paint.Color = color;
        canvas.DrawLine(P(a), P(b), paint);
    }

    private static void Disc(SKCanvas canvas, (double X, double Y) c, double r, SKColor color)
    {
        using var paint = new SKPaint { IsAntialias = true, Color = color };
        canvas.DrawCircle(P(c), (float)r, paint);
    }

    public void Dispose()
    {
        _shirtNear.Dispose(); _shirtFar.Dispose(); _pantsNear.Dispose(); _pantsFar.Dispose();
    }
}

/// <summary>An actor's joints at one instant (image pixels) and the body shapes that hide what is behind it.</summary>
internal sealed record ActorPose((double X, double Y)[] Joints, double BodyHeight, bool FacingAway, bool RightFar)
{
    /// <summary>Whether a point lies under this body's limbs, torso or head.</summary>
    public bool Covers((double X, double Y) q)
    {
        foreach (var (a, b, half) in Actor.Capsules)
            if (SegmentDistance(q, Joints[a], Joints[b]) < half * BodyHeight) return true;
        // Torso quad (plus its stroked rim) and head disc.
        if (SegmentDistance(q, Mid(Joints[8], Joints[9]), Mid(Joints[2], Joints[3])) <
            Math.Max(Actor.Dist(Joints[8], Joints[9]), Actor.Dist(Joints[2], Joints[3])) / 2 + 0.045 * BodyHeight) return true;
        return Actor.Dist(q, Mid(Joints[12], Joints[14])) < 0.5 * Actor.Dist(Joints[12], Joints[14]);
    }

    private static (double X, double Y) Mid((double X, double Y) a, (double X, double Y) b) => ((a.X + b.X) / 2, (a.Y + b.Y) / 2);

    internal static double SegmentDistance((double X, double Y) p, (double X, double Y) a, (double X, double Y) b)
    {
        double dx = b.X - a.X, dy = b.Y - a.Y, len2 = dx * dx + dy * dy;
        double t = len2 > 0 ? Math.Clamp(((p.X - a.X) * dx + (p.Y - a.Y) * dy) / len2, 0, 1) : 0;
        return Actor.Dist(p, (a.X + t * dx, a.Y + t * dy));
    }
}
