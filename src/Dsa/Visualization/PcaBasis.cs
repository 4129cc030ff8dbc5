using static TorchSharp.torch;

namespace Dsa.Visualization;

/// <summary>
/// A principal-component basis of feature vectors, fitted once and reusable, so that several
/// feature maps (before / after alignment) are projected onto the same axes and their colours
/// mean the same thing.
/// </summary>
public sealed class PcaBasis
{
    /// <summary>Mean feature vector [C].</summary>
    public double[] Mean { get; }
    /// <summary>Principal axes [K][C], unit length, by decreasing variance; each axis's largest-magnitude loading is positive.</summary>
    public double[][] Axes { get; }
    /// <summary>Variance of the data along each axis (squared singular value / N).</summary>
    public double[] Variances { get; }

    private PcaBasis(double[] mean, double[][] axes, double[] variances)
    {
        Mean = mean;
        Axes = axes;
        Variances = variances;
    }

    /// <summary>
    /// Fits on samples [N, C]: centre, SVD of the centred matrix (right singular vectors are the
    /// axes). SVD signs are arbitrary, so each axis is flipped to make its largest-magnitude
    /// loading positive: the same data always gives the same colours. Fewer than
    /// <paramref name="count"/> axes exist when min(N, C) is smaller; missing ones are zero vectors.
    /// </summary>
    public static PcaBasis Fit(Tensor samples, int count = 3)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.dim() != 2) throw new ArgumentException($"samples: expected [N, C], got [{string.Join(", ", samples.shape)}].", nameof(samples));
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "At least one component.");
        long n = samples.shape[0], c = samples.shape[1];
        if (n < 1 || c < 1) throw new ArgumentException($"samples: empty shape [{n}, {c}].", nameof(samples));
        using var scope = NewDisposeScope();
        var x = samples.detach().to(ScalarType.Float64).cpu();                      // [N, C]
        if (!x.isfinite().all().item<bool>()) throw new ArgumentException("samples: contains NaN or infinite values.", nameof(samples));
        var mean = x.mean(new long[] { 0 });                                          // [C]
        var (_, s, vh) = linalg.svd(x - mean, fullMatrices: false);                   // s [min(N,C)], vh [min(N,C), C]
        var vhHost = vh.contiguous().data<double>().ToArray();
        var sHost = s.contiguous().data<double>().ToArray();
        int available = (int)vh.shape[0];
        var axes = new double[count][];
        var variances = new double[count];
        for (int k = 0; k < count; k++)
        {
            axes[k] = new double[c];
            if (k >= available) continue;
            Array.Copy(vhHost, k * c, axes[k], 0, c);
            int largest = 0;
            for (int i = 1; i < c; i++) if (Math.Abs(axes[k][i]) > Math.Abs(axes[k][largest])) largest = i;
            if (axes[k][largest] < 0) for (int i = 0; i < c; i++) axes[k][i] = -axes[k][i];
            variances[k] = sHost[k] * sHost[k] / n;
        }
        return new PcaBasis(mean.contiguous().data<double>().ToArray(), axes, variances);
    }

    /// <summary>Scores [N][K] of samples [N, C] on the axes.</summary>
    public double[][] Project(Tensor samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.dim() != 2 || samples.shape[1] != Mean.Length)
            throw new ArgumentException($"samples: expected [N, {Mean.Length}], got [{string.Join(", ", samples.shape)}].", nameof(samples));
        double[] x;
        using (NewDisposeScope()) x = samples.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        int n = (int)samples.shape[0], c = Mean.Length;
        var scores = new double[n][];
        for (int i = 0; i < n; i++)
        {
            scores[i] = new double[Axes.Length];
            for (int k = 0; k < Axes.Length; k++)
            {
                double sum = 0;
                for (int j = 0; j < c; j++) sum += (x[i * c + j] - Mean[j]) * Axes[k][j];
                scores[i][k] = sum;
            }
        }
        return scores;
    }
}
