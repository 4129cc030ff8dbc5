using SkiaSharp;

namespace Dsa.Data.Synthetic;

/// <summary>Procedural textures for the synthetic scenes (all from the scene's seeded Random).</summary>
internal static class Textures
{
    public static SKColor RandomColor(Random rng, double brightness = 1.0)
    {
        double hue = rng.NextDouble() * 360, sat = 0.3 + 0.6 * rng.NextDouble(), val = (0.35 + 0.6 * rng.NextDouble()) * brightness;
        return SKColor.FromHsv((float)hue, (float)(sat * 100), (float)Math.Min(100, val * 100));
    }

    /// <summary>Two-colour stripes (clothing, objects); <paramref name="shade"/> &lt; 1 darkens (far side of a body).</summary>
    public static SKShader Stripes(SKColor a, SKColor b, float period, float angle, float shade)
    {
        SKColor S(SKColor c) => new((byte)(c.Red * shade), (byte)(c.Green * shade), (byte)(c.Blue * shade));
        var end = new SKPoint(period * MathF.Cos(angle), period * MathF.Sin(angle));
        return SKShader.CreateLinearGradient(new SKPoint(0, 0), end, [S(a), S(a), S(b), S(b)], [0f, 0.55f, 0.55f, 1f], SKShaderTileMode.Repeat);
    }

    /// <summary>
    /// A cluttered background: sky/ground gradient, buildings and windows, blobs, limb-like distractor
    /// strokes in skin tones (hard negatives), and fractal noise over everything.
    /// </summary>
    public static SKBitmap Background(int width, int height, Random rng)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        float horizon = (float)(height * (0.35 + 0.25 * rng.NextDouble()));
        using (var sky = new SKPaint { Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, horizon), [RandomColor(rng), RandomColor(rng)], SKShaderTileMode.Clamp) })
            canvas.DrawRect(0, 0, width, horizon, sky);
        using (var ground = new SKPaint { Shader = SKShader.CreateLinearGradient(new SKPoint(0, horizon), new SKPoint(0, height), [RandomColor(rng, 0.7), RandomColor(rng, 0.5)], SKShaderTileMode.Clamp) })
            canvas.DrawRect(0, horizon, width, height - horizon, ground);
        using var paint = new SKPaint { IsAntialias = true };
        int buildings = 6 + rng.Next(8);
        for (int i = 0; i < buildings; i++)
        {
            float w = (float)(width * (0.05 + 0.12 * rng.NextDouble())), h = (float)(horizon * (0.3 + 0.8 * rng.NextDouble()));
            float x = (float)(rng.NextDouble() * width);
            paint.Color = RandomColor(rng, 0.8);
            canvas.DrawRect(x, horizon - h, w, h, paint);
            paint.Color = RandomColor(rng, 1.2).WithAlpha(200);
            for (float wy = horizon - h + 4; wy < horizon - 8; wy += 10)
            for (float wx = x + 3; wx < x + w - 6; wx += 9)
                canvas.DrawRect(wx, wy, 4, 5, paint);
        }
        for (int i = 0; i < 40; i++)
        {
            paint.Color = RandomColor(rng).WithAlpha((byte)(80 + rng.Next(150)));
            float x = (float)(rng.NextDouble() * width), y = (float)(horizon + rng.NextDouble() * (height - horizon));
            float r = (float)(3 + rng.NextDouble() * height * 0.08);
            if (rng.NextDouble() < 0.5) canvas.DrawCircle(x, y, r, paint);
            else canvas.DrawRect(x, y, r * 2.5f, r, paint);
        }
        var skin = new[] { new SKColor(241, 194, 125), new SKColor(198, 134, 66), new SKColor(141, 85, 36) };
        using (var stroke = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeCap = SKStrokeCap.Round })
            for (int i = 0; i < 12; i++)
            {
                stroke.Color = rng.NextDouble() < 0.5 ? skin[rng.Next(skin.Length)] : RandomColor(rng);
                stroke.StrokeWidth = (float)(height * (0.015 + 0.03 * rng.NextDouble()));
                float x = (float)(rng.NextDouble() * width), y = (float)(rng.NextDouble() * height);
                double a = rng.NextDouble() * Math.PI * 2, len = height * (0.05 + 0.12 * rng.NextDouble());
                canvas.DrawLine(x, y, (float)(x + len * Math.Cos(a)), (float)(y + len * Math.Sin(a)), stroke);
            }
        using (var noise = new SKPaint
        {
            Shader = SKShader.CreatePerlinNoiseFractalNoise((float)(0.02 + 0.05 * rng.NextDouble()), (float)(0.02 + 0.05 * rng.NextDouble()), 4, rng.Next(1000)),
            BlendMode = SKBlendMode.Overlay,
            Color = SKColors.White.WithAlpha(140),
        })
            canvas.DrawRect(0, 0, width, height, noise);
        canvas.Flush();
        return bitmap;
    }
}
