using SkiaSharp;

namespace Dsa.Data.Synthetic;

/// <summary>A textured object (a pole, a crate or a round bush) moving across the scene in front of everyone.</summary>
internal sealed class Occluder : IDisposable
{
    private readonly double _x0, _y0, _vx, _vy, _w, _h;
    private readonly bool _round;
    private readonly SKShader _texture;

    public Occluder(SyntheticVideoConfig c, Random rng)
    {
        int kind = rng.Next(3);
        (_w, _h, _round) = kind switch
        {
            0 => (c.Width * (0.04 + 0.05 * rng.NextDouble()), c.Height * 1.2, false), // pole
            1 => (c.Width * (0.12 + 0.15 * rng.NextDouble()), c.Height * (0.2 + 0.25 * rng.NextDouble()), false), // crate
            _ => (c.Width * (0.15 + 0.2 * rng.NextDouble()), c.Height * (0.15 + 0.2 * rng.NextDouble()), true), // bush
        };
        // World coordinates (the background texture's, 2 W wide): at mid-clip it is within W/2 of the
        // texture's centre, where the people walk.
        double dir = rng.NextDouble() < 0.5 ? -1 : 1;
        _vx = dir * c.Speed * (1 + 4 * rng.NextDouble());
        _x0 = c.Width + (rng.NextDouble() - 0.5) * c.Width - _vx * c.Frames / 2;
        _y0 = kind == 0 ? c.Height * 0.3 : c.Height * (0.5 + 0.9 * rng.NextDouble());
        _vy = c.Speed * (rng.NextDouble() - 0.5) * 0.6;
        _texture = Textures.Stripes(Textures.RandomColor(rng, 0.8), Textures.RandomColor(rng, 0.5), (float)(4 + 10 * rng.NextDouble()),
            (float)(rng.NextDouble() * Math.PI), 1f);
    }

    private SKRect Rect(double t, (double X, double Y) cam)
    {
        double x = _x0 + _vx * t - cam.X, y = _y0 + _vy * t - cam.Y;
        return new SKRect((float)(x - _w / 2), (float)(y - _h / 2), (float)(x + _w / 2), (float)(y + _h / 2));
    }

    public void Draw(SKCanvas canvas, double t, (double X, double Y) cam)
    {
        var r = Rect(t, cam);
        using var paint = new SKPaint { Shader = _texture.WithLocalMatrix(SKMatrix.CreateTranslation(r.Left, r.Top)), IsAntialias = true };
        if (_round) canvas.DrawOval(r, paint);
        else canvas.DrawRoundRect(r, 3, 3, paint);
    }

    public bool Covers((double X, double Y) q, double t, (double X, double Y) cam)
    {
        var r = Rect(t, cam);
        if (!_round) return q.X >= r.Left && q.X <= r.Right && q.Y >= r.Top && q.Y <= r.Bottom;
        double dx = (q.X - r.MidX) / (r.Width / 2), dy = (q.Y - r.MidY) / (r.Height / 2);
        return dx * dx + dy * dy <= 1;
    }

    public void Dispose() => _texture.Dispose();
}
